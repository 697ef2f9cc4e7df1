"""Linux user-mode emulation: mirrors QEMU's ``linux-user/``."""
