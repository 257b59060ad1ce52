"""The written answer as a one-page PDF letter in Vietnamese (fpdf2, pure Python).

The font is DejaVu Sans, committed beside this module with its licence (`fonts/`): fpdf2 embeds the subset of glyphs
the letter uses with a ToUnicode map, so every Vietnamese letter renders on any reader and the text can be selected,
searched and extracted back exactly. Texts are put in NFC first, the precomposed form whose glyphs the font has.

What a letter holds is chosen in `services.letters.answers` (nothing that names a person); this module only lays it
out, the same facts always giving the same bytes (the document's dates are the letter's own).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

from core.clock import HANOI_TIME
from models.enums import ReportStatus

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"
OUTCOMES = {
    ReportStatus.PENALIZED: "Đã xử phạt vi phạm hành chính",
    ReportStatus.RESOLVED: "Đã xử lý xong, không xử phạt",
    ReportStatus.REJECTED: "Không xử lý: chưa đủ căn cứ xác định vi phạm",
}
LINE = 6.5


@dataclass(frozen=True)
class Letter:
    """The facts a letter states: all of them public to its reader, the report's author."""

    agency_name: str
    code: str
    category_name: str
    received_at: datetime
    accepted_at: datetime | None
    decided_at: datetime
    status: ReportStatus
    legal_reference: str
    legal_basis: str
    fine_amount_vnd: int | None
    vehicle_impounded: bool
    answer: str


def outcome_text(status: ReportStatus) -> str:
    return OUTCOMES[status]


def render(letter: Letter) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_margins(22, 20, 22)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(_nfc(f"Thông báo kết quả xử lý phản ánh {letter.code}"))
    pdf.set_lang("vi")
    pdf.set_creator("phananh")
    pdf.set_creation_date(letter.decided_at)
    pdf.add_page()
    pdf.set_font(FONT, "B", 10)
    _line(pdf, letter.agency_name.upper(), align="L")
    _line(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="R")
    pdf.set_font(FONT, "", 10)
    _line(pdf, "Độc lập - Tự do - Hạnh phúc", align="R")
    pdf.ln(LINE)
    pdf.set_font(FONT, "B", 13)
    _line(pdf, "THÔNG BÁO KẾT QUẢ XÁC MINH, XỬ LÝ PHẢN ÁNH", align="C")
    pdf.set_font(FONT, "", 11)
    _line(pdf, f"Mã phản ánh: {letter.code}", align="C")
    pdf.ln(LINE / 2)
    _line(pdf, "Kính gửi: Người gửi phản ánh.")
    _line(
        pdf,
        f"Căn cứ Nghị định số 61/2026/NĐ-CP, {letter.agency_name} thông báo kết quả xác minh, xử lý phản ánh của "
        "ông/bà như sau:",
    )
    pdf.ln(LINE / 2)
    for label, value in _facts(letter):
        pdf.set_font(FONT, "B", 11)
        pdf.cell(52, LINE, _nfc(label))
        pdf.set_font(FONT, "", 11)
        _line(pdf, value)
    pdf.ln(LINE / 2)
    pdf.set_font(FONT, "B", 11)
    _line(pdf, "Nội dung trả lời:")
    pdf.set_font(FONT, "", 11)
    _line(pdf, letter.answer or "(không có)")
    pdf.ln(LINE)
    pdf.set_font(FONT, "", 9)
    _line(
        pdf,
        "Thông báo này được lập tự động từ quyết định đã ghi trong hệ thống tiếp nhận phản ánh; thông tin cá nhân "
        "của người gửi phản ánh được giữ bí mật.",
    )
    return bytes(pdf.output())


def _facts(letter: Letter) -> list[tuple[str, str]]:
    facts = [("Loại phản ánh:", letter.category_name), ("Ngày tiếp nhận:", _when(letter.received_at))]
    # A fault fixed directly (RESOLVED without acceptance) was never refused: it simply has no acceptance date.
    if letter.accepted_at is not None:
        facts.append(("Ngày thụ lý:", _when(letter.accepted_at)))
    elif letter.status is ReportStatus.REJECTED:
        facts.append(("Ngày thụ lý:", "Không thụ lý"))
    facts += [("Ngày quyết định:", _when(letter.decided_at)), ("Kết quả:", outcome_text(letter.status))]
    if letter.legal_reference:
        facts.append(("Căn cứ pháp lý:", letter.legal_reference))
    if letter.legal_basis:
        facts.append(("Căn cứ xử phạt:", letter.legal_basis))
    if letter.fine_amount_vnd:
        facts.append(("Số tiền phạt:", f"{letter.fine_amount_vnd:,} đồng".replace(",", ".")))
    if letter.status is ReportStatus.PENALIZED:
        facts.append(("Tạm giữ phương tiện:", "Có" if letter.vehicle_impounded else "Không"))
    return facts


def _line(pdf: FPDF, text: str, align: str = "L") -> None:
    pdf.multi_cell(0, LINE, _nfc(text), align=align, new_x="LMARGIN", new_y="NEXT")


def _when(at: datetime) -> str:
    return at.astimezone(HANOI_TIME).strftime("%H:%M ngày %d/%m/%Y")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)
