"""End-to-end tests: the main flows in headless Chromium."""
