"""Delivery: telling people (apprise notifications) and putting posts where readers get them."""
