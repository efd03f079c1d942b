"""The commands' exit codes, and the error that stops a command with a message for the user."""

EXIT_OK, EXIT_ERRORS, EXIT_CONFIG, EXIT_QUOTA, EXIT_BUSY = 0, 1, 2, 3, 4


class Fatal(Exception):
    """Stops the command with a message for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_CONFIG) -> None:
        super().__init__(message)
        self.code = code
