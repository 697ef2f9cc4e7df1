"""The plugin host: mirrors QEMU's ``plugins/`` (loader, core, api)."""
