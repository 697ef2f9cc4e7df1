"""Guest execution on the Unicorn engine: mirrors QEMU's ``accel/tcg``."""
