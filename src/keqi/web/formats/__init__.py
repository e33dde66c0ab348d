"""Django's number formats for KeQi's languages where they differ from Django's own (``FORMAT_MODULE_PATH``)."""
