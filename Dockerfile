# syntax=docker/dockerfile:1
# Build: docker build -t vrrec .   Run: docker run -p 5000:5000 -v vrrec-data:/data vrrec
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The same flags as scripts/bench.sh and the README: a static, stripped binary.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/vrrec ./cmd/vrrec
RUN mkdir -p /out/data

# distroless/static: CA certificates, tzdata, a nonroot user, no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vrrec /usr/local/bin/vrrec
COPY --from=build --chown=65532:65532 /out/data /data
ENV PORT=5000 DATA_DIR=/data
EXPOSE 5000
VOLUME /data
USER 65532:65532
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["/usr/local/bin/vrrec", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/vrrec"]
CMD ["serve"]
