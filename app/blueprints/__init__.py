"""Blueprints: one per part of Roldesk."""
