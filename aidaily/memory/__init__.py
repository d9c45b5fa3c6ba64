"""The memory across issues: what the house ran, so a day does not run it again.

One concept, in three modules by what they touch:

- ``memory.blog``: the posts of the series in the blog (``[publish] dir``), found by
  their front matter whatever their names, indexed by file hash;
- ``memory.issues``: what each issue ran (its posts, else its draft), kept in the
  store, and the last ``[digest] memory_days`` issues before a date;
- ``memory.recall``: pure matching of a day's stories against those issues: left out
  as already covered, or run once more as a follow-up with what is new.

The layer: above the store, the format, the checks and the stories it reads; below
the editor (which marks a follow-up), the review (publishing remembers the post) and
the pipeline (the select stage asks it).
"""
