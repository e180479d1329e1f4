"""Neural networks built from :class:`autograd.Value` nodes."""
