# The studio for a GPU Docker Space or self-hosting: non-root (uid 1000, as Spaces require), port 7860.
# torch from PyPI is the CUDA build on Linux; the host provides the driver (Spaces GPU, or --gpus all).
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.licenses="Apache-2.0"

RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg fonts-noto-cjk fonts-noto-color-emoji fonts-dejavu-core espeak-ng \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 user
USER user
ENV HOME=/home/user \
    PATH=/home/user/.local/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    STUDIO_HOST=0.0.0.0 \
    STUDIO_PORT=7860 \
    STUDIO_DATA_DIR=/home/user/data
WORKDIR /home/user/app

COPY --chown=user requirements.txt requirements-nodeps.txt ./
RUN pip install --no-cache-dir --user torch==2.13.0 torchvision==0.28.0 \
 && pip install --no-cache-dir --user -r requirements.txt \
 && pip install --no-cache-dir --user --no-deps -r requirements-nodeps.txt

COPY --chown=user . .
EXPOSE 7860
CMD ["python", "app.py"]
