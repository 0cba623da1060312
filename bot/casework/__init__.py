"""Follow-up of a sent report by the people who handle it, from the chat.

- ``procedure.py`` — the VIM procedure as one table: steps, deadlines, improvement actions.
- ``authorization.py`` — the one check before any case step: load, permission, audit.
- ``handlers.py`` — what each step records: quick steps and conversation completions,
  registered by name.
- ``recording.py`` — the bookkeeping every step shares: events, audit entries, status
  changes, deadlines closed and opened, messages queued.
- ``messages.py`` — the texts and buttons handlers read.
- ``lists.py`` — ``/open``, ``/melding``, ``/acties``.
- ``service.py`` — :class:`Casework`, the entry points the turn calls.

This package module itself imports nothing, so the procedure table can be read from
anywhere (``bot.nudges``) without pulling in the rest.
"""
