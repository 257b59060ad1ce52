"""The dossier's README.txt, in Vietnamese and English: what is inside and how to check it without trusting us.

It is listed in the manifest like any file, so it is signed too; it names the report, the key and where the key is
published, and gives the check both with our verifier and with common tools alone (openssl, sha256sum, jq).
"""

from __future__ import annotations

from services.dossiers.layout import MANIFEST, SIGNATURE

TEMPLATE = """\
HỒ SƠ CHỨNG CỨ / EVIDENCE DOSSIER — {code}
Khoá ký / signing key (Ed25519, RFC 7638 thumbprint): {key_id}
Khoá công khai / public key: {key_url}

TIẾNG VIỆT
Hồ sơ gồm: originals/ (tệp gốc người cung cấp gửi, đúng từng byte như khi tiếp nhận), served/ (bản đã xoá siêu dữ
liệu mà cán bộ xem), {manifest} (mã băm SHA-256 và kích thước của mọi tệp, mã băm nội dung phản ánh, thông tin EXIF/GPS
đọc khi tiếp nhận, diễn biến xử lý, quyết định, chuỗi lưu giữ chứng cứ, người và thời điểm xuất) và {signature} (chữ
ký Ed25519 của máy chủ trên đúng các byte của {manifest}). Thông tin cá nhân của người cung cấp không có trong hồ sơ.
Cách kiểm tra (không cần kết nối tới hệ thống):
  1. phananh dossier verify HO-SO.zip --public-key KHOA.pem
  2. Hoặc thủ công: giải nén; lấy chữ ký: jq -r .signature {signature} | base64 -d > chu-ky.bin
     openssl pkeyutl -verify -pubin -inkey KHOA.pem -rawin -in {manifest} -sigfile chu-ky.bin
     rồi so mã băm từng tệp với mục "files" trong {manifest} (không được có tệp nào ngoài danh sách):
     jq -r '.files[] | "\\(.sha256)  \\(.path)"' {manifest} | sha256sum -c -
Hồ sơ chỉ hợp lệ khi chữ ký đúng, mọi tệp khớp mã băm và kích thước, và không có tệp lạ.
Lần xuất hồ sơ này được ghi vào chuỗi lưu giữ (mục EXPORTED, kèm mã băm SHA-256 của {manifest}) sau các mục có
trong hồ sơ; lần xuất sau sẽ chứa mục đó.

ENGLISH
Contents: originals/ (the files the provider sent, byte for byte as received), served/ (the copies without metadata
that officers viewed), {manifest} (every file's SHA-256 and size, the report's content hash, the EXIF/GPS facts read at
receipt, the timeline, the decisions, the chain of custody, who exported it and when) and {signature} (the server's
Ed25519 signature over the exact bytes of {manifest}). The provider's personal data is not in the dossier.
To check it (offline):
  1. phananh dossier verify DOSSIER.zip --public-key KEY.pem
  2. Or by hand: unzip; extract the signature: jq -r .signature {signature} | base64 -d > signature.bin
     openssl pkeyutl -verify -pubin -inkey KEY.pem -rawin -in {manifest} -sigfile signature.bin
     then compare each file's SHA-256 with the "files" list in {manifest} (no other file may be present):
     jq -r '.files[] | "\\(.sha256)  \\(.path)"' {manifest} | sha256sum -c -
The dossier holds only when the signature verifies, every file matches its hash and size, and nothing else is in it.
This export was itself recorded in the chain of custody (an EXPORTED entry holding the SHA-256 of {manifest}) after
the entries the dossier carries; a later export carries that entry.
"""


def readme_text(report_code: str, key_id: str, key_url: str) -> bytes:
    return TEMPLATE.format(
        code=report_code, key_id=key_id, key_url=key_url, manifest=MANIFEST, signature=SIGNATURE
    ).encode()
