"""vimbot: report incidents (VIM — Veilig Incident Melden) from the messenger you already use."""

__version__ = "0.1.0"
