"""Fixtures for the ingest tests: real Arabic news text, a fresh SQLite store, a local HTTP server."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from marsad.store.db import Store

PAGES = Path(__file__).parent.parent / "data" / "pages"
CNN_HTML = PAGES / "cnnarabic_syria_clashes.html"

# Paragraphs of real Arabic news (CNN Arabic, 2013; from newspaper3k's test page, MIT licence).
PARAS = [
    'دمشق، سوريا (CNN) -- أكدت جهات سورية معارضة أن فصائل مسلحة معارضة لنظام الرئيس بشار الأسد وعلى صلة بـ"الجيش الحر" '
    "تمكنت من السيطرة على مستودعات للأسلحة بريف دمشق تضم كميات من الصواريخ ومضادات الدروع.",
    "وقال المرصد السوري لحقوق الإنسان، وهو هيئة معارضة مقرها لندن، إن مقاتلين من لواء الاسلام وعدة كتائب أخرى، "
    "سيطروا على ثلاثة مستودعات للذخيرة بالقرب من بلدة قلدون في منطقة القلمون بريف دمشق.",
    "وفي محافظة الحسكة شمال شرقي البلاد، أفاد المرصد عن اشتباكات دارت بعد منتصف ليل الجمعة - السبت، في محيط بلدة تل حلف "
    'قرب مدينة رأس العين بين "وحدات حماية الشعب" الكردية، ومقاتلي ما يعرف بـ"الدولة الإسلامية في العراق والشام".',
    "ولم ترد تقارير حول الخسائر البشرية، في حين دارت اشتباكات عنيفة بين الطرفين في وقت متأخر من ليل الجمعة، "
    "في قرية التويمية، الواقعة بين منطقة أصفر ونجار وقرية مشرافة في جنوب مدينة راس العين.",
]
# Two other real stories (Akhbar Al Aan and an unnamed Libyan outlet, from the project's dev texts).
OTHER = [
    "حذّرت تقارير إخبارية محلية ودولية من وجود تحركات يقوم بها أفراد تنظيم داعش لتعزيز تواجده في ليبيا، خلال العام الحالي. "
    "وذكرت التقارير أن محاصرة التنظيم وإجباره على الخروج من جبال وصحاري العراق وسوريا، تزامن مع تكهنات بأن ليبيا، "
    "يمكن أن تصبح محور عمل داعش في المستقبل، واستخدام المنطقة الجنوبية في ليبيا والصحراء الواسعة كمركز جديد لأنشطته.",
    "فشل تنظيم الدولة خلال 6 سنوات من المحاولات المتكررة للتغلغل في أنحاء متفرقة من البلاد، وهو ما يشير إلى عدم عثور "
    "التنظيم على حاضنة اجتماعية له في ليبيا. ورغم بسط سيطرته على مدينة سرت في يونيو 2015 حينما جمع فلوله فيها عقب "
    "طردهم من درنة في الشهر نفسه؛ فإن الحرب التي أعلنتها عليه قوات البنيان المرصوص أخرجته مدحورا من سرت في العام التالي.",
]
ENGLISH = (
    "Syrian opposition groups said that armed factions linked to the Free Syrian Army seized weapons depots "
    "in the Damascus countryside holding rockets and anti-tank missiles, the Syrian Observatory said."
)


def story(title: str = "معارضون يسيطرون على مخازن للصواريخ بريف دمشق") -> str:
    return title + "\n\n" + "\n\n".join(PARAS)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(str(tmp_path / "ingest.db"))
    yield s
    s.close()


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}
    hits: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:
        self.hits.append((self.path, dict(self.headers)))
        status, headers, body = self.routes.get(self.path, (404, {}, b"not found"))
        etag = headers.get("ETag")
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[str, type[_Handler]]]:
    """A server on 127.0.0.1 serving `handler.routes` (path -> status, headers, body)."""
    handler = type("Handler", (_Handler,), {"routes": {}, "hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()
