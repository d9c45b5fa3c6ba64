"""The house format: the digest model, lossless parse and render, front matter, lint."""
