# The Home Assistant add-on image; the same image runs standalone:
#   docker run -e CLIENT_ID -e CLIENT_SECRET -e GATEWAY_URL -v data:/data -p 8080:8080 <image>
# Users pull it prebuilt (config.yaml `image:`, .github/workflows/release.yaml); the bases are bumped as
# docs/image.md says.
ARG BUILD_FROM=ghcr.io/home-assistant/base-python:3.13-alpine3.22
ARG ASSETS_FROM=node:22-alpine

# The chart library, from the npm registry at the version package-lock.json pins: done when the image is built,
# so a board that pulls the image compiles and downloads nothing.
FROM ${ASSETS_FROM} AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund \
    && mkdir vendor \
    && cp node_modules/uplot/dist/uPlot.iife.min.js node_modules/uplot/dist/uPlot.min.css vendor/

FROM ${BUILD_FROM}
ARG BUILD_VERSION=0.1.0
ARG BUILD_ARCH

# Python packages: exactly the versions and files requirements.lock pins (its own layer, kept while only the code
# changes), then the project itself, built with the pinned setuptools and nothing else fetched.
COPY requirements.lock /usr/src/myelectricaldata/
RUN pip install --no-cache-dir --require-hashes -r /usr/src/myelectricaldata/requirements.lock
COPY pyproject.toml README.md /usr/src/myelectricaldata/
COPY src /usr/src/myelectricaldata/src
COPY --from=assets /assets/vendor /usr/src/myelectricaldata/src/myelectricaldata/web/static/vendor
RUN pip install --no-cache-dir --no-deps --no-build-isolation /usr/src/myelectricaldata \
    && rm -rf /usr/src/myelectricaldata

# s6-overlay v3 services: the init oneshot (data directory, migrations) and the web app longrun.
COPY rootfs /
RUN chmod a+x /etc/s6-overlay/s6-rc.d/init-myelectricaldata/run \
    /etc/s6-overlay/s6-rc.d/myelectricaldata/run /etc/s6-overlay/s6-rc.d/myelectricaldata/finish

# DATA_DIR: the Supervisor's persistent /data, or the volume mounted there standalone.
# S6_SERVICES_GRACETIME: at stop, a running sync gets 20 s to reach a consistent point (config.yaml timeout: 30).
# MALLOC_ARENA_MAX: two malloc arenas for the web server's threads, not one per thread (-6 MB idle; small hosts).
ENV DATA_DIR=/data \
    S6_SERVICES_GRACETIME=20000 \
    MALLOC_ARENA_MAX=2
EXPOSE 8080

# /healthz reads a row of the main tables (503 when the database cannot be read) and needs no password.
HEALTHCHECK --interval=60s --timeout=5s --start-period=120s --retries=3 \
    CMD ["/bin/sh", "-c", "curl -fsS --max-time 4 \"http://127.0.0.1:${PORT:-8080}/healthz\" > /dev/null || exit 1"]

# io.hass.type "addon": the value every Supervisor version knows ("app" only from 2026).
LABEL \
    io.hass.name="MyElectricalData" \
    io.hass.description="Your Linky meter data in your own database, a French web UI and the Energy dashboard" \
    io.hass.type="addon" \
    io.hass.version="${BUILD_VERSION}" \
    io.hass.arch="${BUILD_ARCH}" \
    org.opencontainers.image.title="MyElectricalData" \
    org.opencontainers.image.description="Local client for the MyElectricalData gateway: Linky data in your own database" \
    org.opencontainers.image.version="${BUILD_VERSION}" \
    org.opencontainers.image.source="https://github.com/MyElectricalData/myelectricaldata-local-client" \
    org.opencontainers.image.licenses="Apache-2.0"
