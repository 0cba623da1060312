"""Slack adapter on slack-bolt's AsyncApp: translate payloads, render Block Kit, wire the app."""

from bot.adapters.slack.app import SlackAdapter

__all__ = ["SlackAdapter"]
