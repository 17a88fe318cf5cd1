"""Actor registry and tagger, on real sentences of Arabic news.

Sentences come from the SaudiNewsNet corpus (../shared/data/corpus/saudinewsnet.jsonl.gz, 2015);
each carries its article id. Expected values are (surface as written, entry id).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from marsad.model import Article
from marsad.nlp.actors import ActorDataError, ActorEntry, ActorRegistry, ActorTagger
from marsad.pipeline import DEFAULT_COMPONENTS, Pipeline
from marsad.text.normalize import normalize, normalize_text


@pytest.fixture(scope="module")
def registry() -> ActorRegistry:
    return ActorRegistry.load()


@pytest.fixture(scope="module")
def tagger(registry: ActorRegistry) -> ActorTagger:
    return ActorTagger(registry)


def tag(tagger: ActorTagger, sentence: str) -> list[tuple[str, str]]:
    norm = normalize_text(sentence)
    return [(norm.raw_slice(s, e), entry.id) for s, e, entry in tagger.find(norm.text)]


# (article id, sentence, expected mentions). Each row shows one matching rule.
CASES = [
    # A branch named in full; a generic noun with an accusative demonym → Algeria's military.
    (
        "snn-2015-07-21-1643",
        "تبنى تنظيم القاعدة في بلاد المغرب الاسلامي قتل 14 جنديا جزائريا في كمين نصبه في ولاية عين"
        " الدفلى جنوب غرب العاصمة الجزائر",
        [("تنظيم القاعدة في بلاد المغرب الاسلامي", "aqim"), ("جنديا جزائريا", "military_DZ")],
    ),
    # Template with a demonym (الجيش الأمريكي); "ل" clitic cut off; "في العراق" picks the branch.
    (
        "snn-2015-07-21-1644",
        "قال الجيش الأمريكي يوم امس السبت إن الولايات المتحدة وحلفاءها قصفوا أهدافا تابعة لتنظيم"
        " الدولة الإسلامية في العراق في 23 غارة جوية",
        [("الجيش الأمريكي", "military_US"), ("تنظيم الدولة الإسلامية في العراق", "is_iraq")],
    ),
    # Feminine demonym after a construct head; an indefinite generic noun.
    (
        "snn-2015-07-21-2700",
        "قالت مصادر أمنية إن خمسة أفراد من قوات الأمن المصرية قُتلوا في هجوم نفذه من يشتبه بأنهم"
        " إرهابيون، على نقاط تفتيش في شمال سيناء يوم السبت.",
        [("قوات الأمن المصرية", "police_EG"), ("إرهابيون", "unidentified_armed_group")],
    ),
    # Quotes inside a name; "تنظيم داعش في مصر" → the Egyptian branch.
    (
        "snn-2015-07-21-2700",
        'وأعلنت جماعة "ولاية سيناء" جناح تنظيم "داعش" في مصر في بيان على "تويتر" مسؤوليتها عن الهجوم.',
        [("ولاية سيناء", "is_egypt"), ('تنظيم "داعش" في مصر', "is_egypt")],
    ),
    # لل (ل + ال) keeps the whole word; a bare generic militia word.
    (
        "snn-2015-07-22-1741",
        "وطالب الحكومة المجتمع الدولي بضرورة رفع الحظر عن توريد السلاح للجيش الليبي لمساعدته في"
        " مكافحة الارهاب والمليشيات الخارجة عن القانون.",
        [("للجيش الليبي", "military_LY"), ("المليشيات", "unidentified_armed_group")],
    ),
    # "القاعدة الجوية" is an air base, not al-Qaeda; the longest alias "الحوثيين وصالح" wins.
    (
        "snn-2015-07-21-0465",
        "وتعتبر القاعدة العسكرية هذه أهم معاقل الحوثيين وصالح المتبقية في المنطقة وهي القاعدة الجوية"
        " الأكبر في اليمن والأهم في المنطقة.",
        [("الحوثيين وصالح", "houthis")],
    ),
    # "بحماس" is "with enthusiasm": never Hamas.
    (
        "snn-2015-07-21-0213",
        "من جهتها، تستجيب شركات التقنية بحماس للرغبة الإنسانية في الوصول للمثالية عبر اختراع مزيد من الأجهزة",
        [],
    ),
    # But "وحماس" after "حزب الله" is Hamas with the conjunction.
    (
        "snn-2015-07-21-0457",
        "أسهمت مع حركة حماس في اقتحام السجون بمصر لإطلاق قادة الإخوان وقادة من حزب الله وحماس كانوا في سجون",
        [
            ("حركة حماس", "hamas"),
            ("الإخوان", "muslim_brotherhood_eg"),
            ("حزب الله", "hezbollah"),
            ("حماس", "hamas"),
        ],
    ),
    # An epithet joins the span ("المتطرفة").
    (
        "snn-2015-07-21-0134",
        "وشنت جماعة بوكو حرام المتطرفة سلسلة هجمات دموية في شمال شرقي نيجيريا خلال ست سنوات من التمرد.",
        [("جماعة بوكو حرام المتطرفة", "boko_haram")],
    ),
    # Generic police and protesters, and indefinite civilians.
    (
        "snn-2015-07-21-0132",
        "وبعدما تصاعد منسوب التوتر، فتح رجال الشرطة المكلفين بأمن الاجتماع النار على المتظاهرين، مما"
        " أسفر عن إصابة مدنيين تم نقلهما إلى المستشفى، بحسب شهود.",
        [("رجال الشرطة", "police"), ("المتظاهرين", "protesters"), ("مدنيين", "civilians")],
    ),
    # A demonym after a generic group fills its country: Civilians (Syria).
    (
        "snn-2015-08-08-0072",
        "وواجه مجلس الأمن انتقادات دولية لوقوفه صامتا دون اتخاذ تدابير لحماية المدنيين السوريين",
        [("المدنيين السوريين", "civilians:SY")],
    ),
    # Saudi-led coalition aircraft; inflected Houthi form.
    (
        "snn-2015-07-21-0005",
        "وذكر مصدر عسكري آخر أن المقاتلين على الأرض استفادوا من دعم مقاتلات التحالف العربي الذي شن"
        " نحو 15 غارة على مواقع المتمردين الحوثيين",
        [("مقاتلات التحالف العربي", "saudi_coalition"), ("المتمردين الحوثيين", "houthis")],
    ),
    # A quoted name after a generic word: "ميليشيا «الحشد الشعبي»" is one mention.
    (
        "snn-2015-07-21-0221",
        "ورغم أن هناك تناولا عابرًا لميليشيا «الحشد الشعبي»، فرضه مجموع جرائمها المنظمة في العراق",
        [("ميليشيا «الحشد الشعبي»", "pmf")],
    ),
    # An anaphoric group word and the US-led coalition.
    (
        "snn-2015-07-21-0224",
        "وكان التنظيم الإرهابي قد حث أنصاره على تكثيف الهجمات أثناء شهر رمضان ضد المسيحيين والشيعة"
        " والمسلمين السنة الذين يقاتلون مع التحالف الذي تقوده الولايات المتحدة.",
        [
            ("التنظيم الإرهابي", "armed_group_anaphor"),
            ("التحالف الذي تقوده الولايات المتحدة", "international_coalition"),
        ],
    ),
    # Sudan: the army template and the RSF.
    (
        "snn-2015-07-22-0089",
        "وكان الجيش السوداني أعلن مرارًا عزمه إنهاء التمرد بحلول الصيف الحالي، وأرسل مئات الجنود من الجيش"
        " وقوات الدعم السريع إلى مناطق العمليات",
        [
            ("الجيش السوداني", "military_SD"),
            ("الجنود", "military"),
            ("الجيش", "military"),
            ("قوات الدعم السريع", "rsf"),
        ],
    ),
    # "حماس" as "enthusiasm": no Palestinian context in the article, no plain Hamas name.
    (
        "snn-2015-08-02-1209",
        "ألهب شعراء الأمسية الثانية في مهرجان حفر الباطن «العيد والصيف» حماس الجماهير الغفيرة التي ملأت خيمة الفعاليات",
        [],
    ),
    (
        "snn-2015-07-22-1007",
        "وقالت صحيفة فيلت ام زونتاج إن الاستطلاع الذي شمل 1380 ألمانيا أظهر عدم وجود حماس في أكبر"
        " اقتصاد بأوروبا لنتيجة التصويت",
        [],
    ),
    # A civil airliner is not an air force ("الطائرة الألمانية"); a police general's name is
    # not a Darfur rebel leader's.
    (
        "snn-2015-07-21-1639",
        "تم إبلاغ الراكبة بالقرار واحتجازها بصالة “الترانزيت”، لحين سفرها على الطائرة الألمانية المغادرة.",
        [],
    ),
    (
        "snn-2015-08-06-1950",
        "وقال مساعد القائد العام لشرطة دبي لشؤون البحث الجنائي، اللواء خليل إبراهيم المنصوري، إن حارس البناية",
        [],
    ),
    # "القوات اللبنانية" is the party of Samir Geagea, not the army (which is الجيش اللبناني).
    (
        "snn-2015-07-21-0041",
        "حمّل سمير جعجع، رئيس حزب القوات اللبنانية، إيران مسؤولية تعطيل الانتخابات الرئاسية في لبنان",
        [("سمير جعجع", "lebanese_forces"), ("حزب القوات اللبنانية", "lebanese_forces")],
    ),
    # "النصرة" alone is the Nusra Front in an article about Syria.
    (
        "snn-2015-07-21-0022",
        "«النصرة» تعزل أحد مؤسسيها بسبب الموقف من «داعش». لكن مصدرًا بارزًا في الجيش السوري الحر في شمال سوريا",
        [("النصرة", "jabhat_al_nusra"), ("داعش", "islamic_state"), ("الجيش السوري الحر", "fsa")],
    ),
    # "المالية" after "التنظيم" is "financial", not "Malian": the anaphor stays unresolved.
    (
        "snn-2015-07-21-0227",
        "مما أسهم في تجفيف موارد التنظيم المالية التي يكسبها من إيرادات النفط",
        [("التنظيم", "armed_group_anaphor")],
    ),
    # "طالبان في باكستان" is the Pakistani Taliban (the Taliban's branch in PK); brackets inside a
    # name do not break it: "(القاعدة) في اليمن" is AQAP.
    (
        "snn-2015-07-21-0227",
        "إن تنظيم القاعدة ما زال قويا على الأرض وتقع تحت مظلته جماعة طالبان في باكستان، وحركة الشباب في"
        " الصومال، وفرع (القاعدة) في اليمن.",
        [
            ("تنظيم القاعدة", "al_qaeda"),
            ("طالبان في باكستان", "ttp"),
            ("حركة الشباب", "al_shabaab"),
            ("(القاعدة) في اليمن", "aqap"),
        ],
    ),
    # Indefinite head with the indefinite demonym; human plural demonym.
    (
        "snn-2015-07-21-2442",
        "وقالت وزارة الدفاع في وقت سابق: إن طيارين بريطانيين ملحقين بقوات أمريكية وكندية شاركوا في ضربات جوية في سوريا",
        [("قوات أمريكية", "military_US")],
    ),
    (
        "snn-2015-07-22-0543",
        "أكدت وسائل إعلامية أمريكية أن محمد يوسف عبدالعزيز الذي قتل 5 جنود أمريكيين الخميس الماضى لم يكن"
        " من أنصار تنظيم «داعش» بل كان يعاني",
        [("جنود أمريكيين", "military_US"), ("تنظيم «داعش»", "islamic_state")],
    ),
    # The conjunction ف before the article.
    ("snn-2015-07-27-0996", "فالحوثيون لم ينسحبوا كلهم فيما يبدو.", [("الحوثيون", "houthis")]),
    # A demonym after a global group's name picks its branch: the Libyan IS (dev article 003;
    # the 2015 corpus has no such phrase).
    (
        "dev-003_1f6a6a192af01ecb",
        "ويؤكد تلك التخوفات النشاط الذي بدأه تنظيم داعش الليبي، في شن أول عملية له خارج حدود ليبيا",
        [("تنظيم داعش الليبي", "is_libya")],
    ),
    # After a group with no branch there, the demonym only joins the span.
    (
        "snn-2015-07-25-0186",
        "وقال مصدر في حركة طالبان الأفغانية إنه «دفن في بكتيكا مع (مقاتلين) آخرين",
        [("حركة طالبان الأفغانية", "taliban")],
    ),
    # "في <country>" across a quote: «داعش» في العراق → IS (Iraq); a branch's own alias.
    (
        "snn-2015-07-21-0457",
        "هل غذت إيران تنظيم القاعدة في اليمن و«داعش» في العراق لتضع مثل هذه البلدان بين خيارين..",
        [("تنظيم القاعدة في اليمن", "aqap"), ("«داعش» في العراق", "is_iraq")],
    ),
    # Pirates at sea are an armed group; internet "pirates" (hackers) are not.
    (
        "snn-2015-08-10-0142",
        "قراصنة يسرقون 3500 طن  من الوقود من ناقلة سنغافورية",
        [("قراصنة", "unidentified_armed_group")],
    ),
    ("snn-2015-08-01-0180", "تجريم «الاختراق المعاكس» يجعل اليد العليا لقراصنة الإنترنت", []),
    # Haftar's forces by his name.
    (
        "snn-2015-08-08-0065",
        "وتملك قوات حفتر بعض الطائرات والطائرات الهليكوبتر ودبابات سوفياتية الصنع",
        [("قوات حفتر", "lna")],
    ),
]


@pytest.mark.parametrize(("article", "sentence", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_tagger_on_corpus_sentences(tagger: ActorTagger, article: str, sentence: str, expected: list) -> None:
    assert tag(tagger, sentence) == expected


def test_resolve_global_group_to_country_branch(registry: ActorRegistry, tagger: ActorTagger) -> None:
    # snn-2015-07-21-0008 is about IS in Libya (Sirte); the bare "التنظيم"/"داعش" are resolved
    # by the caller with the article's country.
    sentence = "تحول «فقهاء» وقادة داعش إلى نوع جديد من الخطب"
    [(_, _, entry)] = tagger.find(normalize(sentence))
    assert entry.id == "islamic_state"
    assert registry.resolve(entry, "LY").name == "Islamic State (Libya)"
    assert registry.resolve(entry, "NG").name == "Islamic State (West Africa)"
    assert registry.resolve(entry, "ML").name == "Islamic State (Greater Sahara)"
    assert registry.resolve(entry, "FR") is entry  # no French branch
    assert registry.resolve(registry.find("تنظيم القاعدة"), "YE").id == "aqap"
    assert registry.resolve(registry.find("تنظيم القاعدة"), "ML").id == "jnim"
    # A state's own forces are not "branches" of it: the LNA is not what the Libyan army resolves to.
    assert registry.resolve(registry.get("military_LY"), "LY").id == "military_LY"


def test_branch_in_article_about_libya(tagger: ActorTagger) -> None:
    sentence = "تحول «فقهاء» وقادة تنظيم داعش في ليبيا إلى نوع جديد من الخطب"  # snn-2015-07-21-0008
    assert tag(tagger, sentence) == [("تنظيم داعش في ليبيا", "is_libya")]


def test_generic_names_filled_with_country(registry: ActorRegistry, tagger: ActorTagger) -> None:
    # snn-2015-08-03-1111 (Kirkuk, Iraq)
    sentence = "كما أفاد مصدر أمني عن إصابة رجل وزوجته بانفجار قنبلة يدوية ألقاها مسلحون مجهولون على منزلهما"
    [(_, _, entry)] = tagger.find(normalize(sentence))
    assert entry.generic and entry.name == "Unidentified Armed Group ({country})"
    assert registry.name_for(entry, "IQ") == "Unidentified Armed Group (Iraq)"
    assert registry.name_for(registry.find("المدنيين"), "TD") == "Civilians (Chad)"
    assert registry.name_for(registry.find("المتظاهرين"), "TN") == "Protesters (Tunisia)"
    assert registry.name_for(registry.find("الثوار"), "LY") == "Rebels (Libya)"
    assert registry.name_for(registry.find("قوات الأمن"), "TN") == "Police Forces of Tunisia"
    assert registry.name_for(registry.find("الجيش"), "US") == "Military Forces of the United States"
    assert registry.resolve(registry.find("قوات الأمن"), "TN").id == "police_TN"
    filled = registry.resolve(entry, "LY")
    assert (filled.name, filled.country, filled.generic) == ("Unidentified Armed Group (Libya)", "LY", False)
    assert registry.get(filled.id) == filled


def test_find_by_any_alias(registry: ActorRegistry) -> None:
    isis = registry.find("داعش")
    assert isis is not None and isis.name == "Islamic State"
    for alias in (
        "تنظيم الدولة",
        "ISIS",
        "isil",
        "Islamic State",
        "تنظيم «داعش»",
        "بتنظيم الدولة",
        "الدواعش",
    ):
        assert registry.find(alias) is isis, alias
    assert registry.find("Houthis (Ansar Allah)") is registry.find("الحوثيين") is registry.find("أنصار الله")
    assert registry.find("ولاية سرت").name == "Islamic State (Libya)"
    assert registry.find("ولاية سرت").parent == "islamic_state"
    assert registry.find("Libyan National Army (Haftar)").id == "lna"
    assert registry.find("البنيان المرصوص").parent == "gna"
    assert registry.find("Islamic State (Syria)").id == "is_syria"
    # Common words are not actors.
    for word in ("الدولة", "القاعدة", "الشباب", "التحالف", "الحكومة", "الشرعية", "الجيش الأحمر"):
        assert registry.find(word) is None, word


def test_anaphoric_aliases_are_flagged(registry: ActorRegistry) -> None:
    entry = registry.find("التنظيم")
    assert entry is not None and entry.anaphor and entry.generic
    assert not registry.find("داعش").anaphor


def test_registry_size_and_shape(registry: ActorRegistry) -> None:
    entries = list(registry)
    assert len(entries) >= 300
    assert sum(len(e.aliases_ar) for e in entries) >= 3000
    for e in entries:
        assert isinstance(e, ActorEntry)
        assert 1 <= e.inter <= 8
        assert e.generic == ("{country}" in e.name)
        assert e.parent is None or registry.get(e.parent) is not None, e.id
        assert e.country is None or e.country in registry.countries, e.id
    # The generic ids the event builder asks for by name.
    for id_ in ("military", "police", "civilians", "protesters", "rioters", "unidentified_armed_group", "rebels"):
        assert registry.get(id_).generic, id_
    # Every state has its military and police, named the ACLED way.
    for code in (
        "LY",
        "ML",
        "BF",
        "NE",
        "TD",
        "SD",
        "SO",
        "YE",
        "SY",
        "IQ",
        "US",
        "FR",
        "RU",
        "TR",
        "IR",
        "GB",
        "IT",
    ):
        assert registry.get(f"military_{code}").name.startswith("Military Forces of ")
        assert registry.get(f"police_{code}").name.startswith("Police Forces of ")


def test_no_common_word_is_an_alias(registry: ActorRegistry) -> None:
    # Words that are far more often something else in news text.
    common = {
        "الدوله",
        "الدوله الاسلاميه في",
        "القاعده",
        "الشباب",
        "التحالف",
        "الحكومه",
        "الامن",
        "الحركه",
        "الجماعه",
        "المرابطين",
        "العمالقه",
        "المسلح",
        "المدني",
        "العسكري",
        "الشرعيه",
        "السلطات",
    }
    assert common & set(registry.alias_ar) == set()


def test_mali_police_demonym_is_left_out(tagger: ActorTagger) -> None:
    # "الشرطة المالية" is the financial police; "الجيش المالي" is Mali's army (snn-2015-08-10-0114).
    assert tag(tagger, "وسير الجيش المالي دوريات عسكرية في سيفاري") == [("الجيش المالي", "military_ML")]
    assert tag(tagger, "أحالت الشرطة المالية الملف إلى النيابة") == [("الشرطة", "police")]


def test_tagger_in_default_pipeline() -> None:
    assert "marsad.nlp.actors:ActorTagger" in DEFAULT_COMPONENTS
    # Only the stages the tagger needs, so that this test does not load the NER model.
    pipeline = Pipeline.from_names(["marsad.pipeline:SentenceSplitter", "marsad.nlp.actors:ActorTagger"])
    text = "ويعد معسكر لبوزة هو أول موقع سيطرت عليه ميليشيات الحوثي وصالح أثناء انطلاقها من طريق تعز"
    doc = pipeline(Article(id="snn-2015-07-21-0053", text=text))
    [mention] = doc.of_kind("actor")
    assert mention.value.id == "houthis" and mention.source == "actors" and mention.score == 1.0
    assert doc.surface(mention.start, mention.end) == "ميليشيات الحوثي وصالح"


def test_data_errors_name_file_and_entry(tmp_path: Path) -> None:
    (tmp_path / "countries.yaml").write_text("countries:\n  LY: {en: Libya, ar: [ليبيا], adj: [ليبي]}\n")
    (tmp_path / "a.yaml").write_text("actors:\n  - {id: x, name: X, inter: 2, ar: [داعش]}\n")
    (tmp_path / "b.yaml").write_text("actors:\n  - {id: y, name: Y, inter: 2, ar: [داعش]}\n")
    with pytest.raises(ActorDataError, match=r"b\.yaml entry #1 \(y\).*'داعش'.*a\.yaml entry #1"):
        ActorRegistry.from_dir(tmp_path)
    (tmp_path / "b.yaml").write_text("actors:\n  - {id: y, name: Y, inter: 9}\n")
    with pytest.raises(ActorDataError, match=r"b\.yaml entry #1 \(y\): 'inter' must be an ACLED code"):
        ActorRegistry.from_dir(tmp_path)
    (tmp_path / "b.yaml").write_text("actors:\n  - {id: y, name: Y, inter: 2, country: ZZ}\n")
    with pytest.raises(ActorDataError, match=r"'country' 'ZZ' is not in countries.yaml"):
        ActorRegistry.from_dir(tmp_path)
