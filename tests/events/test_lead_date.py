"""Event dates read from the article's lead, clauses joined by "فيما", suicide bombings told with
"تفجير نفسه/نفسيهما", and the group an unattributed act is ascribed to. Real news sentences
(SaudiNewsNet ids in comments; tests/profiles/corpus_articles.jsonl holds the whole articles).
"""

from __future__ import annotations

import datetime as dt

from marsad.model import Article, EventOut
from marsad.pipeline import Pipeline

BOKO = "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad"

# snn-2015-07-23-0026: the lead dates the news ("يوم أمس (الاربعاء)"), the next paragraph tells
# the two attacks without a date
LEAD_0026 = (
    "مقتل 50 شخصا بهجمات لـ«بوكو حرام» في الكاميرون ونيجيريا\n"
    "قتل اكثر من 50 شخصا، يوم أمس (الاربعاء)، في هجمات مفترضة لحركة بوكو حرام في الكاميرون ونيجيريا التي "
    "حذر رئيسها الولايات المتحدة من ان سياستها تضر بالجهود لمكافحة الحركة المتطرفة.\n\n"
    " والهجوم المزدوج في مروة بشمال الكاميرون، اسفر عن مقتل 11 شخصا على الاقل فيما لقي نحو 42 مصرعهم في "
    "تفجيرين استهدفا محطتي حافلات في غومبيه بشمال شرقي نيجيريا.\n\n"
)


def _events(text: str, published: str = "2015-07-23") -> list[EventOut]:
    return Pipeline.default()(Article(id="t", text=text, published=dt.date.fromisoformat(published))).events


def _at(events: list[EventOut], town: str) -> list[EventOut]:
    return [e for e in events if e.location is not None and e.location.name == town]


def test_later_sentences_take_the_leads_date() -> None:
    events = _events(LEAD_0026)
    (gombe,) = _at(events, "Gombe")
    assert (gombe.date, gombe.event_type, gombe.fatalities) == ("2015-07-22", "Explosions/Remote violence", 42)
    assert gombe.actor1 is not None and gombe.actor1.name == BOKO
    (maroua,) = _at(events, "Maroua")  # "فيما" parts the two attacks: each keeps its own toll
    assert (maroua.date, maroua.location.country, maroua.fatalities) == ("2015-07-22", "CM", 11)


def test_the_exchange_date_stays_empty_without_a_lead_date() -> None:
    # the same sentences with the lead's date removed: nothing dates the attacks
    events = _events(LEAD_0026.replace("يوم أمس (الاربعاء)، ", ""))
    assert [e.date for e in _at(events, "Gombe") + _at(events, "Maroua")] == [None, None]


def test_a_lead_dated_since_gives_its_month() -> None:
    # snn-2015-07-24-1068: "منذ امس الاول" (since the day before yesterday) dates a span
    text = (
        "قتل اكثر من 50 شخصا منذ امس الاول في هجمات مفترضة لحركة بوكو حرام في الكاميرون ونيجيريا التي حذر رئيسها "
        "الولايات المتحدة من ان سياستها تضر بالجهود لمكافحة الحركة المتطرفة. والهجوم المزدوج في مروة بشمال "
        "الكاميرون، اسفر عن مقتل 11 شخصا على الاقل فيما لقي نحو 42 مصرعهم في تفجيرين استهدفا محطتي حافلات في "
        "غومبيه بشمال شرق نيجيريا."
    )
    (gombe,) = _at(_events(text, "2015-07-24"), "Gombe")
    assert gombe.date == "2015-07"


def test_same_town_inherits_background_does_not() -> None:
    # snn-2015-07-31-1640: the Ramadi fighting of the lead ("أمس الخميس"), then a pluperfect
    # sentence ("وكان ... أعلن") about an earlier strike
    text = (
        "حققت القوات العراقية أمس الخميس تقدما ميدانيا في الرمادي وضواحيها وتمكنت من تصفية العديد من المسلحين.\n"
        "وفي نفس السياق، أكد قائد الشرطة الاتحادية الفريق رائد شاكر جودت، أن القوات الأمنية استطاعت تحرير تل "
        "مشيهيدة في المحور الشرقي لمدينة الرمادي، بعد معارك مع المسلحين تكبدوا خلالها خسائر مادية وبشرية كبيرة.\n"
        "وكان رئيس مجلس قضاء الخالدية في محافظة الأنبار علي داوود أعلن مقتل “والي الصقلاوية” في تنظيم “داعش” "
        "بقصف لطيران التحالف الدولي أثناء هروبه من ناحية الصقلاوية إلى جزيرة الخالدية شرقي الرمادي.\n"
    )
    events = _events(text, "2015-07-31")
    battles = [e for e in events if e.event_type == "Battles"]
    assert battles and all(e.date == "2015-07-30" for e in battles)
    strikes = [e for e in events if e.sub_event_type == "Air/drone strike"]
    assert strikes and all(e.date is None for e in strikes)


def test_a_later_date_ends_the_leads_reach() -> None:
    # snn-2015-07-23-0026: after "وفي 12 يوليو (تموز) الماضي ..." the story has left the lead's day
    # (the article's paragraphs, reordered)
    lead = LEAD_0026.split("\n\n")[0] + "\n\n"
    fotokol = (
        " وفي 12 يوليو (تموز) الماضي قامت انتحاريتان منقبتان بتفجير نفسيهما في فوتوكول على الحدود مع نيجيريا، "
        "ما ادى الى مقتل 10 مدنيين وجندي من تشاد المجاورة.\n\n"
    )
    gombe = LEAD_0026.split("\n\n", 1)[1]  # the two attacks, told after the Fotokol paragraph
    events = _events(lead + fotokol + gombe)
    (ev,) = _at(events, "Fotokol")
    assert (ev.date, ev.sub_event_type, ev.location.admin1) == ("2015-07-12", "Suicide bomb", "Far North")
    assert [e.date for e in _at(events, "Gombe")] == [None]
    assert [e.date for e in _at(_events(lead + gombe), "Gombe")] == ["2015-07-22"]


def test_the_headline_takes_the_leads_date() -> None:
    # snn-2015-07-27-0153: the headline's bombing "شمال الكاميرون" is the lead's, in Maroua
    text = (
        "فتاة تنفذ هجومًا انتحاريًا شمال الكاميرون وتسقط 20 ضحية\n"
        "شهدت مدينة مروة أقصى شمال الكاميرون هجوما جديدا مساء أول من أمس نفذته فتاة في نحو الثانية عشرة من "
        "العمر وأسفر عن سقوط عشرين قتيلا، وهو يحمل بصمات جماعة بوكو حرام المتشددة النيجيرية.\n"
    )
    (head,) = [e for e in _events(text, "2015-07-27") if e.sub_event_type == "Suicide bomb"]
    assert (head.date, head.fatalities, head.location.country) == ("2015-07-25", 20, "CM")


def test_blowing_themselves_up_is_a_suicide_bombing_of_the_articles_group() -> None:
    # snn-2015-07-23-0026: the group named most (Boko Haram), not the IS it pledged to, named last
    text = (
        "قتل اكثر من 50 شخصا، يوم أمس (الاربعاء)، في هجمات مفترضة لحركة بوكو حرام في الكاميرون ونيجيريا.\n\n"
        " وتأتي الهجمات الدموية الاخيرة بعد ان نشرت بوكو حرام شريط فيديو على تويتر اعلنت فيه انها لم تمن بالهزيمة.\n\n"
        ' ومن المتوقع ان تقوم قوة جديد من خمس دول بالانتشار لقتال المجموعة التي اعلنت ولاءها لتنظيم "داعش" المتطرف.\n\n'
        ' والهجومان في الكاميرون نفذتهما فتاتان "يقل عمرهما عن 15 عاما"، قامتا بتفجير نفسيهما في السوق المركزي في '
        "مروة وحي مجاور مكتظ سكانه من الهاوسا، بحسب حاكم المنطقة مدجياوا بكاري.\n"
    )
    (ev,) = [e for e in _events(text) if e.sub_event_type == "Suicide bomb"]
    assert ev.actor1 is not None and ev.actor1.name == BOKO
    assert (ev.location.name, ev.date) == ("Maroua", "2015-07-22")


def test_fima_as_for_does_not_part_a_clause() -> None:
    from marsad.events.clauses import split_clauses

    text = "قال الوزير فيما يتعلق بالهجوم ان القوات صدت المهاجمين"
    assert split_clauses(text, 0, len(text)) == [(0, len(text))]
    text = "قتل 11 شخصا فيما لقي 42 مصرعهم"
    assert [text[s:e] for s, e in split_clauses(text, 0, len(text))] == ["قتل 11 شخصا ", "لقي 42 مصرعهم"]


def _one(text: str, published: str = "2015-07-21") -> EventOut:
    events = _events(text, published)
    assert len(events) == 1, [e.model_dump(exclude_none=True) for e in events]
    return events[0]


def test_a_bomber_blowing_himself_up_after_his_description() -> None:
    # snn-2015-07-21-0140: "فجر رجل يرتدي البرقع نفسه" (the verb parted from "نفسه"), in N'Djamena
    ev = _one(
        "ويشتبه في تنفيذ الجماعة المتشددة هجوما مماثلا يوم السبت في عاصمة تشاد التي تبعد نحو 60 كيلومترا شرقي "
        "فوتوكول بعد أن فجر رجل يرتدي البرقع نفسه في السوق الرئيسية في المدينة مما أسفر عن مقتل 15 شخصا."
    )
    assert (ev.sub_event_type, ev.fatalities, ev.date) == ("Suicide bomb", 15, "2015-07-18")
    assert ev.location is not None and ev.location.admin1 == "Ville de Ndjamena"


def test_victims_joined_to_the_count_add_to_it() -> None:
    # snn-2015-07-21-0140: 12 civilians and one Chadian soldier
    ev = _one(
        "وعلى صعيد ذي صلة، قال مسؤول كبير بالجيش الكاميروني إن 12 مدنيا على الأقل وجنديا تشاديا واحدا قتلوا في "
        "هجومين انتحاريين يشتبه أن جماعة «بوكو حرام» المتشددة نفذتهما في بلدة فوتوكول بشمال الكاميرون في وقت "
        "متأخر أمس الأحد."
    )
    assert (ev.sub_event_type, ev.fatalities, ev.location.name) == ("Suicide bomb", 13, "Fotokol")


def test_an_attack_and_a_bombing_in_one_town_on_one_day_are_one_event() -> None:
    # snn-2015-07-26-0329: "هجوما جديدا ... اسفر عن سقوط عشرين قتيلا" and "الهجوم الانتحاري السبت"
    text = (
        "شهدت مدينة مروة أقصى شمال الكاميرون هجوما جديدا مساء السبت نفذته فتاة في حوالى الثانية عشرة من العمر "
        "واسفر عن سقوط عشرين قتيلا وهو يحمل بصمات جماعة بوكو حرام الاسلامية النيجيرية.\n"
        'وقال التلفزيون ان الهجوم الانتحاري السبت مثل تفجيري الاربعاء "نفذته فتاة انتحارية فجرت قنبلة كانت '
        'بحوزتها في حانة في حي شعبي في المدينة".\n'
    )
    saturday = [e for e in _at(_events(text, "2015-07-26"), "Maroua") if e.date == "2015-07-25"]
    assert [(e.sub_event_type, e.fatalities) for e in saturday] == [("Suicide bomb", 20)]


def test_fighting_is_not_merged_into_a_bombing() -> None:
    # snn-2015-07-31-1640: battles east of Ramadi and, the same day, 12 IS members (three of them
    # suicide bombers) killed in an ambush: "معارك" tells fighting, which stays its own event
    text = (
        "حققت القوات العراقية أمس الخميس تقدما ميدانيا في الرمادي وضواحيها وتمكنت من تصفية العديد من المسلحين.\n"
        "وفي نفس السياق، أكد قائد الشرطة الاتحادية الفريق رائد شاكر جودت، أن القوات الأمنية استطاعت تحرير تل "
        "مشيهيدة في المحور الشرقي لمدينة الرمادي، بعد معارك مع المسلحين تكبدوا خلالها خسائر مادية وبشرية كبيرة، "
        "حسب تصريحاته.\n"
        "وأضاف شاكر جودت بأن القوات الأمنية تمكنت من قطع جميع خطوط إمداد “داعش” بعد محاصرتهم من جميع المحاور "
        "لاسيما المحور الشرقي للرمادي، مشيرا إلى أنه تمت تصفية 12 عنصرا من “داعش” بينهم ثلاثة انتحاريين في كمين "
        "لمغاوير الشرطة الاتحادية بعد محاولة عناصر التنظيم شن هجوم على منطقة المضيق شرق الرمادي.\n"
    )
    types = {e.event_type for e in _at(_events(text, "2015-07-31"), "Ramadi")}
    assert "Battles" in types


def test_an_act_told_as_recent_keeps_no_date() -> None:
    # snn-2015-07-21-0030: the lead dates a ministers' meeting about Tunisia; the Sousse attack
    # "مؤخرا" (recently) happened at some earlier, unsaid time
    text = (
        "«الأوروبي» يبحث سبل دعم تونس لمكافحة الإرهاب\n"
        "يناقش وزراء خارجية الاتحاد الأوروبي اليوم (الاثنين) خلال اجتماعهم في بروكسل، سبل تعزيز دعم تونس في "
        "مكافحة الإرهاب.\n\n"
        " ويأتي ذلك القرار على خلفية هجوم ارهابي لشاب مسلح مؤخرا في منتجع سوسة التونسي وقتل 38 سائحا؛ إذ أدى "
        "الهجوم إلي مغادرة آلاف السائحين الغربيين البلاد.\n"
    )
    (ev,) = _at(_events(text, "2015-07-20"), "Sousse")
    assert (ev.date, ev.fatalities) == (None, 38)


def test_between_keeps_its_second_member_across_a_comma() -> None:
    # snn-2015-07-21-0227: "اقتتالا ... بين «كتيبة شهداء أبو سليم» الموالية لتنظيم القاعدة، ومسلحي تنظيم داعش"
    ev = _one(
        "وفي ليبيا، تشهد مدينة درنة، في شرق البلاد، اقتتالا مستعرا منذ مطلع الشهر الحالي بين «كتيبة شهداء أبو "
        "سليم» الموالية لتنظيم القاعدة، ومسلحي تنظيم داعش على خلفية خلاف جاء بعد انشقاق عناصر من «كتيبة أبو "
        "سليم» وإعلان مبايعتها لخلافة البغدادي."
    )
    assert ev.event_type == "Battles" and ev.location is not None and ev.location.name == "Darnah"
    assert ev.actor2 is not None and ev.actor2.name == "Islamic State (Libya)"
    from marsad.events.clauses import split_clauses

    text = "اشتباكات بين الجيش والحوثيين, وقصف على المدينة"  # "بين" has its "و" already: the comma parts
    assert len(split_clauses(text, 0, len(text))) == 2


def test_a_lead_without_a_place_dates_its_countrys_details() -> None:
    # snn-2015-08-03-1050: the lead names the Nigerian army and the day, no place; the operation
    # near Bama (Borno) told next takes the lead's day
    text = (
        "الجيش النيجيري ينقذ 178 مخطوفا من أيدي بوكو حرام\n"
        'أنقذ الجيش النيجيري 178 شخصا مختطفا من أيدي جماعة "بوكو حرام" الإسلامية المتشددة ، حسبما ذكرت صحيفة '
        '"بريميوم تايمز" المحلية اليوم الاثنين .\n'
        "وأعلن المتحدث باسم الجيش توكور جوساو في بيان أنه تم تحرير 101 طفل و67 امرأة و10 رجال خلال عملية "
        "عسكرية استهدفت القبض على قيادي بارز في بوكو حرام بالقرب من بلدة باما بولاية بورنو التي تقع في شمال "
        "شرق نيجيريا .\n"
    )
    (ev,) = _at(_events(text, "2015-08-03"), "Bama")
    assert (ev.date, ev.location.admin1) == ("2015-08-03", "Borno")


def test_an_act_told_as_a_motive_keeps_no_date_of_the_retaliation() -> None:
    # snn-2015-07-22-1339: "اليوم الأربعاء" dates the PKK's killing of two police officers; the
    # suicide bombing it avenged ("انتقاما لتفجير انتحاري") happened two days before
    text = (
        "أعلن حزب العمال الكردستاني مسؤوليته عن قتل ضابطي شرطة في جنوب شرق تركيا اليوم الأربعاء قائلا إنه جاء "
        "انتقاما لتفجير انتحاري ألقي باللوم فيه على تنظيم الدولة الإسلامية وأسفر عن مقتل 32 شخصا."
    )
    bombings = [e for e in _events(text, "2015-07-22") if e.sub_event_type == "Suicide bomb"]
    assert bombings and all(e.date is None for e in bombings)


def test_the_retaliation_told_first_keeps_its_date() -> None:
    # snn-2015-07-24-1163: the strike comes before "ردا على" and keeps "أمس الخميس"
    text = (
        "قصفت تركيا أمس الخميس مواقع لتنظيم ا»داعش» الارهابي في سوريا ردا على مقتل احد جنودها باطلاق نار من "
        "قبل متطرفين."
    )
    strikes = [e for e in _events(text, "2015-07-24") if e.event_type == "Explosions/Remote violence"]
    assert strikes and strikes[0].date == "2015-07-23"


def test_a_headline_told_at_country_level_takes_the_leads_date() -> None:
    # snn-2015-08-10-0170: the headline names only the country ("في شمال أفغانستان"); the lead dates
    # the bombing "مساء أول من أمس". Without the lead's date the headline's event had none and took
    # a background year of a later sentence ("منذ بدأت ... في عام 2009") when restatements joined.
    text = (
        "22 قتيلاً بانفجار سيارة مفخخة في شمال أفغانستان\n"
        "قال مسؤولون إن 22 شخصا على الأقل معظمهم من رجال ميليشيا محلية قتلوا في إقليم قندز في شمالي أفغانستان "
        "مساء أول من أمس عندما فجر انتحاري من طالبان مركبة ملغومة بالمتفجرات في أحدث هجوم في سلسلة هجمات.\n"
    )
    # the headline's car bomb and the lead's suicide bombing are one blast, told by the lead
    events = _events(text, "2015-08-10")
    assert [(e.sub_event_type, e.date, e.location.name, e.fatalities) for e in events] == [
        ("Suicide bomb", "2015-08-08", "Kunduz", 22)
    ]
    assert events[0].evidence.startswith("قال مسؤولون")


def test_two_tolls_in_one_article_are_two_acts() -> None:
    # snn-2015-08-01-0075: an ambush near Kharif (13 killed) and "later" another patrol ambushed in
    # Raydah (4 killed, 2 wounded); the same sub-type with no date kept them as one event before
    text = (
        "في السياق ذاته، صعدت مقاومة آزال هجماتها التي تستهدف الميليشيات الحوثية وقوات صالح، وقالت مصادر خاصة "
        "لـ«الشرق الأوسط» إن مسلحي المقاومة نصبوا كمينا لدورية من ميليشيات الحوثيين وقوات صالح في منطقة خارف، "
        "وأسفر الكمين عن مقتل 13 مسلحا حوثيا ومقتل أحد عناصر المقاومة، وفي وقت لاحق، قال المكتب الإعلامي لمقاومة "
        "آزال إن كمينا نصب لدورية أخرى في مديرية ريدة، أسفر عن مقتل 4 وإصابة 2 من المسلحين الحوثيين.\n"
    )
    clashes = [e for e in _events(text, "2015-08-01") if e.sub_event_type == "Armed clash"]
    assert sorted((e.fatalities, e.injuries) for e in clashes) == [(4, 2), (13, None)]


def test_the_lead_dates_its_act_not_its_statement() -> None:
    # snn-2015-07-27-0928: "أول من أمس" dates Obama's words, "أمس" the bombing: the headline and the
    # lead tell one bombing, on one day (days told apart in a sentence are not two days of one act)
    events = _events(
        "هجوم انتحاري على فندق في الصومال\n"
        "في وقت أعلن الرئيس الأميركي باراك أوباما أول من أمس، خلال زيارته كينيا أن قوة المتمردين في حركة الشباب "
        "المتشددة تراجعت في شرق أفريقيا، قتل أمس ستة على الأقل، في هجوم انتحاري بسيارة ملغومة نفذه أعضاء من "
        "الحركة المتشددة على فندق في العاصمة الصومالية.",
        "2015-07-27",
    )
    assert [(e.sub_event_type, e.date) for e in events] == [("Suicide bomb", "2015-07-26")]
