# Detection (issue 3): the real-Alertmanager test starts its own Alertmanager on a loopback
# port; it only needs to find the binary. Sourced by .ci/run after PostgreSQL starts.
if [ -x /usr/bin/prometheus-alertmanager ]; then
  export FUKKYU_ALERTMANAGER=/usr/bin/prometheus-alertmanager
else
  echo "detection: prometheus-alertmanager not found; the real-Alertmanager test will fail in CI" >&2
fi
