"""The diff between two SOP texts: readable, and never a way to inject markup."""

from sops.diff import diff_texts


def test_identical_texts_have_no_changes():
    diff = diff_texts("a\nb\n", "a\nb\n")
    assert diff.identical


def test_added_and_removed_lines_are_counted():
    diff = diff_texts("one\ntwo\n", "one\nthree things entirely different\nfour\n")
    kinds = [line.kind for line in diff.lines]
    assert "removed" in kinds and "added" in kinds
    assert diff.added == 2 and diff.removed == 1


def test_a_small_edit_is_shown_word_by_word():
    diff = diff_texts("Send the invoice on Friday.\n", "Send the invoice on Monday.\n")
    (line,) = [line for line in diff.lines if line.kind == "changed"]
    assert '<del class="removed">Friday</del>' in line.html
    assert '<ins class="added">Monday</ins>' in line.html
    assert line.html.startswith("Send the invoice on ")


def test_markup_in_either_text_is_escaped():
    diff = diff_texts("<b>old</b>\n", "<script>alert(1)</script>\n")
    html = "".join(line.html for line in diff.lines)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>" not in html


def test_long_unchanged_runs_are_folded():
    old = "\n".join(f"line {i}" for i in range(40)) + "\nend\n"
    new = "\n".join(f"line {i}" for i in range(40)) + "\nthe end\n"
    diff = diff_texts(old, new, context=3)
    skipped = [line for line in diff.lines if line.kind == "skipped"]
    assert len(skipped) == 1 and "37 unchanged lines" in skipped[0].html
    assert len(diff.lines) < 10


def test_blank_lines_are_not_counted_as_changes():
    from sops.diff import diff_texts

    diff = diff_texts("Intro\n\nStep one\n\nStep two\n", "Intro\n")
    assert diff.removed == 2
    assert diff.added == 0
