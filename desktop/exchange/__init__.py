"""Excel exchange (department templates, validated import, xlsx reports); never imports Qt."""
