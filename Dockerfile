# Diffusion Playground, CPU image: the app on the shipped data and models, offline once built.
#   docker build -t diffusion-playground .
#   docker run -p 8501:8501 diffusion-playground
# A class on one machine: several containers (or `make serve-class REPLICAS=4`) behind nginx, see docs/DEPLOY.md.
# CUDA: build FROM an nvidia/cuda runtime image and install torch from the CUDA wheel index instead (docs/DEPLOY.md).
FROM python:3.11-slim

ENV PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 DIFFUSION_PLAYGROUND_THREADS=1
WORKDIR /app
# PyTorch's CPU wheels first (small, no CUDA), in the versions the project is tested with
RUN pip install torch==2.14.1 torchvision==0.29.1 --index-url https://download.pytorch.org/whl/cpu
COPY pyproject.toml README.md ./
COPY core ./core
RUN pip install .
COPY . .
RUN useradd --create-home student && chown -R student /app
USER student
EXPOSE 8501
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health')"
CMD ["python", "-m", "streamlit", "run", "server.py", "--server.port", "8501", "--server.address", "0.0.0.0", \
     "--server.headless", "true", "--browser.gatherUsageStats", "false"]
