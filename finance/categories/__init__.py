"""Categories: what money was earned from or spent on."""
