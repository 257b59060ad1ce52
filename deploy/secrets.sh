#!/bin/sh
# The secrets docker-compose.yml mounts, one value per file in deploy/secrets/, each created only when missing: run
# it once before the first `docker compose up` (`make secrets` does). Running it again keeps every existing value, so
# rotating one means deleting its file, running this again and restarting what reads it (README, Running in
# production). The directory stays private to its owner (0700); the files in it are 0644 because Docker mounts them
# into the containers as they are, where the API (uid 10001) and PostgreSQL (uid 999) must read them.
set -eu

dir="${SECRETS_DIR:-$(dirname "$0")/secrets}"
mkdir -p "$dir"
chmod 700 "$dir"

random() {
	# 48 random bytes as hex: safe in a URL, a shell word and a YAML scalar alike.
	od -An -N48 -tx1 /dev/urandom | tr -d ' \n'
}

write() {
	if [ -s "$dir/$1" ]; then
		return 0
	fi
	printf '%s\n' "$2" >"$dir/$1.tmp"
	chmod 644 "$dir/$1.tmp"
	mv "$dir/$1.tmp" "$dir/$1"
	echo "created $dir/$1"
}

for name in postgres_password minio_root_password s3_api_secret_key jwt_secret metrics_token grafana_admin_password; do
	write "$name" "$(random)"
done
# The API's EVIDENCE_SIGNING_KEY_FILE: the Ed25519 key that signs receipts and dossiers. Keep a copy offline: a new
# key means a new published key id, and receipts signed before verify only against the old public key.
if [ ! -s "$dir/evidence_signing_key" ]; then
	write evidence_signing_key "$(openssl genpkey -algorithm ed25519)"
fi
# The API's DATABASE_URL_FILE: the connection string with the password above (pool size: `?maxsize=N`).
write database_url "postgres://phananh:$(cat "$dir/postgres_password")@postgres:5432/phananh"
# Optional: the Zalo Official Account's access token, empty (answers stay queued) until you write it in.
if [ ! -e "$dir/zalo_oa_access_token" ]; then
	: >"$dir/zalo_oa_access_token"
	chmod 644 "$dir/zalo_oa_access_token"
	echo "created $dir/zalo_oa_access_token (empty: write the OA access token into it to send answers on Zalo)"
fi
