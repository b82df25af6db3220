"""The Qt user interface: widgets, item models, delegates, charts, dialogs and printing."""
