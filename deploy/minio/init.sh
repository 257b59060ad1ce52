#!/bin/sh
# Run by the one-shot `minio-init` service (minio/mc image) on every `docker compose up`; idempotent.
#
# The bucket is private (no anonymous access: phones read media through URLs the API signs). The API does not get the
# root credentials: it signs in as its own user, whose one policy (api-policy.json) allows reading, writing and
# deleting objects of this bucket and checking the bucket, nothing else. Running this again updates the policy and
# sets the user's secret to the current deploy/secrets/s3_api_secret_key (how that secret is rotated).
set -eu

mc alias set store http://minio:9000 "$MINIO_ROOT_USER" "$(cat /run/secrets/minio_root_password)" >/dev/null
mc mb --ignore-existing "store/$BUCKET"
mc anonymous set none "store/$BUCKET"
mc admin policy create store phananh-api /deploy/minio/api-policy.json
mc admin user add store "$API_ACCESS_KEY" "$(cat /run/secrets/s3_api_secret_key)"
# Attaching a policy the user already has is an error: detach first (an error too, the first time).
mc admin policy detach store phananh-api --user "$API_ACCESS_KEY" >/dev/null 2>&1 || true
mc admin policy attach store phananh-api --user "$API_ACCESS_KEY"
echo "bucket $BUCKET ready for user $API_ACCESS_KEY"
