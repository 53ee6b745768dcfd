"""Template tags of the consent app."""
