"""A readable diff between two SOP texts: lines, and words inside a changed line.

The Markdown source is compared, not the rendered HTML, so that what changed is what the author
typed. Every piece of text is escaped here; the only markup is the diff's own ``<ins>``/``<del>``.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# A changed line is shown word by word only when the two lines are this similar; otherwise it
# reads better as one line removed and one added.
INLINE_SIMILARITY = 0.5
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class DiffLine:
    """One line of the diff. ``kind`` is same, added, removed, changed or skipped."""

    kind: str
    html: SafeString
    old_number: int | None = None
    new_number: int | None = None

    @property
    def sign(self) -> str:
        return {"added": "+", "removed": "−", "changed": "±"}.get(self.kind, "")


@dataclass
class Diff:
    lines: list[DiffLine] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    changed: int = 0

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _words(old: str, new: str) -> SafeString:
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_tokens[i1:i2])))
            continue
        if op in ("delete", "replace"):
            parts.append(f'<del class="removed">{escape("".join(old_tokens[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            parts.append(f'<ins class="added">{escape("".join(new_tokens[j1:j2]))}</ins>')
    # Every piece of text in it was escaped above.
    return mark_safe("".join(parts))  # noqa: S308  # nosec


def _counts(line: str) -> int:
    """Blank lines are shown, for the shape of the text, but not counted as changes."""
    return 1 if line.strip() else 0


def _similar(old: str, new: str) -> bool:
    return difflib.SequenceMatcher(None, old, new, autojunk=False).ratio() >= INLINE_SIMILARITY


def diff_texts(old: str, new: str, *, context: int = 3) -> Diff:
    """Compare two texts line by line; unchanged runs longer than ``2 * context`` are folded."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    diff = Diff()
    lines: list[DiffLine] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            run = [
                DiffLine("same", escape(old_lines[i]), i + 1, j1 + (i - i1) + 1)
                for i in range(i1, i2)
            ]
            lines.extend(_fold(run, context, first=not lines, last=i2 == len(old_lines)))
            continue
        removed, added = old_lines[i1:i2], new_lines[j1:j2]
        pairs = min(len(removed), len(added)) if op == "replace" else 0
        for k in range(pairs):
            if _similar(removed[k], added[k]):
                diff.changed += 1
                lines.append(
                    DiffLine("changed", _words(removed[k], added[k]), i1 + k + 1, j1 + k + 1)
                )
            else:
                diff.removed += _counts(removed[k])
                diff.added += _counts(added[k])
                lines.append(DiffLine("removed", escape(removed[k]), i1 + k + 1, None))
                lines.append(DiffLine("added", escape(added[k]), None, j1 + k + 1))
        for k in range(pairs, len(removed)):
            diff.removed += _counts(removed[k])
            lines.append(DiffLine("removed", escape(removed[k]), i1 + k + 1, None))
        for k in range(pairs, len(added)):
            diff.added += _counts(added[k])
            lines.append(DiffLine("added", escape(added[k]), None, j1 + k + 1))
    diff.lines = lines
    return diff


def _fold(run: list[DiffLine], context: int, *, first: bool, last: bool) -> list[DiffLine]:
    """Keep ``context`` unchanged lines next to each change and fold the rest into one line."""
    keep_before = 0 if first else context
    keep_after = 0 if last else context
    if len(run) <= keep_before + keep_after + 1:
        return run
    hidden = len(run) - keep_before - keep_after
    skipped = DiffLine(
        "skipped",
        escape(f"… {hidden} unchanged line{'s' if hidden != 1 else ''} …"),
    )
    return run[:keep_before] + [skipped] + run[len(run) - keep_after :]
