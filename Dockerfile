# Production image: gunicorn serving the API and the built PWA (whitenoise).
# The same image runs the Celery worker and beat (see docker-compose.yml).

FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/ ./
RUN ./build.sh

FROM python:3.11-slim-bookworm
# The visit report (backend/reports/) needs no system package on this slim image:
# ReportLab, matplotlib and Pillow install as wheels that carry their own libraries
# (freetype, libpng, zlib), and the PDF and the charts use the DejaVu fonts that
# matplotlib's wheel ships (backend/reports/pdf.py), so every name prints without a
# system font. Agg draws without a display.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MPLBACKEND=Agg
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
COPY --from=frontend /app/frontend/dist ./frontend/dist
# collectstatic needs settings, not secrets: a throwaway key for this step only.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home --uid 10001 backtrack && mkdir -p var && chown -R backtrack var
USER backtrack
# matplotlib's font list, built once into the image (in the user's home): otherwise each
# new container's first report would spend a few seconds building it.
RUN python -c "import matplotlib.font_manager"
EXPOSE 8000
# Threaded workers: a phone on a slow network, or an idle keep-alive connection,
# holds one thread rather than a whole worker process.
# WEB_CONCURRENCY x WEB_THREADS (3 x 4 by default; about a process per core on a
# bigger machine). `exec`: gunicorn is PID 1 and gets the container's SIGTERM.
CMD ["sh", "-c", "exec gunicorn backend.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --worker-class gthread --threads ${WEB_THREADS:-4} --access-logfile -"]
