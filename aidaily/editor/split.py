"""Stories the writer split: an article it set aside as not the same news (issue 19).

Grouping merges articles on evidence; the write prompt shows the model every article of
a story and lets it answer ``set_aside`` with the ids (``prompting.article_ident``) of
those that report something else. Such an article leaves the story: it becomes a story
of its own (not written today: the plan never saw it), the item is grounded in the
remaining articles only, the store's grouping is updated so that review grounds the
same way, and the run report says what was split. The first article (the item's link)
cannot be set aside: an answer naming it, or an id the prompt did not show, is ignored
with a notice (silently for a one-article story: its prompt offered no choice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from aidaily.editor.prompting import PROMPT_ARTICLES, article_ident
from aidaily.models import Story
from aidaily.stories.dedup import story_id

__all__ = ["Split", "split_stories"]


@dataclass(frozen=True)
class Split:
    """One article set aside from a story."""

    story_id: str  # the story the item stands for
    title: str  # its title
    url: str  # the article set aside
    new_story_id: str  # the story that article now is

    @property
    def notice(self) -> str:
        return (f"story {self.story_id} ({self.title}): the writer set aside {self.url} as not "
                f"the same news; split into story {self.new_story_id}")


def split_stories(
    stories: Mapping[str, Story], set_aside: Mapping[str, Sequence[str]]
) -> tuple[dict[str, Story], list[Story], list[Split], list[str]]:
    """``stories`` with the set-aside articles taken out, the new one-article stories,
    the splits, and notices for answers that named no article it could set aside."""
    out = dict(stories)
    new: list[Story] = []
    splits: list[Split] = []
    notices: list[str] = []
    for sid, ids in set_aside.items():
        story = out.get(sid)
        if story is None:
            continue
        shown = {article_ident(sid, i): i for i in range(min(PROMPT_ARTICLES, len(story.articles)))}
        drop = sorted({shown[i] for i in ids if shown.get(i)})  # index 0 (the link) stays
        ignored = [i for i in ids if not shown.get(i)]
        if ignored and len(shown) > 1:  # a one-article story was not offered the choice
            notices.append(f"story {sid}: set_aside {', '.join(map(repr, ignored))} ignored "
                           "(not an article of the story other than its first)")
        if not drop:
            continue
        for index in drop:
            article = story.articles[index]
            alone = Story(story_id(article.url), [article])
            new.append(alone)
            splits.append(Split(sid, story.title, article.url, alone.id))
        out[sid] = replace(story, articles=[a for i, a in enumerate(story.articles) if i not in drop])
    return out, new, splits, notices
