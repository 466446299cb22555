// Read by ConfigModule when the app module is first imported: tests never touch the real database file.
process.env.DATABASE_PATH = ':memory:';
process.env.APP_TIMEZONE = 'UTC';
