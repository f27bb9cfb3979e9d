"""Every test folder shares what lies directly in tests/ (pg_schemas.py): this file puts tests/ on the import path."""
