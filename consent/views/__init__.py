"""Views of the consent app, one module per audience."""
