"""Domain rules of VIM reporting, in one place: taxonomy, dates, classification, codes."""
