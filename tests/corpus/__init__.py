# Figures the corpus tests measured, printed in the terminal summary (tests/conftest.py).
SUMMARY: list[str] = []
