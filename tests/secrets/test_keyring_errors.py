"""Backend messages are quoted for diagnosis but can never carry a secret out."""

from __future__ import annotations

from awsenv.auth.keyring_errors import translate

TOKEN = "aorAAAAAGd1dHhAbCdEfGhIjKlMnOpQrStUvWxYz0123456789-refresh"
BACKEND = "some.Backend"


def line(exc: BaseException) -> str:
    return translate(exc, BACKEND, selecting=False, origin="auto", hide=(TOKEN, "short")).line()


def test_whole_secret_in_a_message_is_withheld() -> None:
    text = line(RuntimeError(f"cannot store {TOKEN!r}"))
    assert TOKEN not in text and "withheld" in text


def test_truncated_echo_of_a_secret_is_withheld() -> None:
    text = line(ValueError(f"bad value starting {TOKEN[10:30]}..."))
    assert TOKEN[10:30] not in text and "ValueError: its message quoted a secret" in text


def test_ordinary_messages_are_quoted_and_short_values_leave_text_alone() -> None:
    text = line(RuntimeError("short circuit while\nwriting"))
    assert "(some.Backend: RuntimeError: short circuit while writing)" in text


def test_long_messages_are_cut() -> None:
    text = line(RuntimeError("x " * 400))
    assert len(text) < 400 and "..." in text
