# The production image: gunicorn for the web, the same image runs the Celery worker and beat.
FROM python:3.11-slim

# Static files are collected into the image, apart from the /data volume the containers write to.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic needs the production settings but no secret: a throwaway key for this one command, not in the image.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && useradd --create-home --uid 1000 app \
    && mkdir -p /data \
    && chown -R app /data /app/var
USER app

EXPOSE 8000
# Threaded workers, so slow uploads cannot hold every worker (config/gunicorn.conf.py says why); GUNICORN_CMD_ARGS
# changes any of its settings.
CMD ["gunicorn", "--config", "config/gunicorn.conf.py", "config.wsgi:application"]
