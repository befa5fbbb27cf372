# Read by the flask command (python-dotenv). Secrets belong in .env, which is not committed.
FLASK_APP=app
APP_ENV=development
