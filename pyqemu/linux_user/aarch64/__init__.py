"""aarch64 specifics of Linux user mode: mirrors QEMU's linux-user/aarch64/."""
