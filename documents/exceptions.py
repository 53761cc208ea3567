class DocumentError(Exception):
    """A refused upload or removal, with a message a person can read."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code
