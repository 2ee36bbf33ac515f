"""The field app's phone fixture, for the programme's end-to-end test."""

from tests.pwa.conftest import phone  # noqa: F401 - a pytest fixture, used by test_browser.py
