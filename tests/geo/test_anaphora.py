"""Places named without a name: "المحافظة نفسها", "في المكان ذاته", "حي غويران" (a district the
gazetteer lacks), and distances whose unit is left out ("250 شمال غرب المدينة المنورة").

Real sentences from SaudiNewsNet (ids cited); the corpus is non-commercial, so they live in the
tests only.
"""

from __future__ import annotations

from marsad.geo import event_location
from marsad.geo.geocoder import geo_state, haversine_km
from marsad.model import Doc


def resolved_at(doc: Doc, surface: str):
    """The geocoder's result whose raw text is `surface`."""
    for r in geo_state(doc)["resolved"]:
        if doc.surface(r.start, r.end) == surface:
            return r
    found = [doc.surface(r.start, r.end) for r in geo_state(doc)["resolved"]]
    raise AssertionError(f"nothing resolved at {surface!r}; resolved: {found}")


def marked(doc: Doc, mark: str) -> list:
    """The geocoder's results that carry `mark` in their evidence ("anaphora", "district", ...)."""
    return [r for r in geo_state(doc)["resolved"] if mark in r.evidence]


def clause_place(doc: Doc, clause: str):
    start = doc.raw.index(clause)
    return event_location(doc, start, start + len(clause))


def near(place, lat: float, lon: float, km: float = 25.0) -> bool:
    return haversine_km((place.lat, place.lon), (lat, lon)) <= km


# --- نفس / ذات ----------------------------------------------------------------------------------


def test_province_itself_is_the_province_named_before(tag):
    # snn-2015-08-10-1002
    doc = tag(
        "سيطرت القوات الموالية لحكومة الرئيس اليمني المعترف به دوليا عبدربه منصور هادي على زنجبار، عاصمة "
        "محافظة أبين في جنوب البلاد والتي كانت في أيدي المتمردين الحوثيين، إضافة إلى مدينة شقرة الساحلية "
        "في المحافظة نفسها، وفق ما أفادت مصادر عسكرية أمس."
    )
    r = resolved_at(doc, "المحافظة نفسها")
    assert (r.place.country, r.place.precision) == ("YE", "admin1") and "anaphora" in r.evidence
    assert r.place.id == resolved_at(doc, "أبين").place.id


def test_the_same_place_after_a_district_of_falluja(tag):
    # snn-2015-07-22-0037: the rockets hit a headquarters in حي نزال, central Fallujah
    doc = tag(
        "وقال المصدر، إن «وحدة الصواريخ والميدان التابعة للجيش العراقي تمكنت من تحديد مقر لتنظيم داعش في "
        "حي نزال، وسط الفلوجة، وتم قصفه بالصواريخ والمدفعية وبدقة عالية، مما أسفر عن مقتل سبعة من قادة "
        "مجلس التنظيم الإرهابي». وأضاف المصدر الذي طلب عدم الكشف عن اسمه، أن «خمس عجلات مصفحة كان "
        "يستقلها قادة التنظيم تم تدميرها مع تفجير مخبأ كبير للأسلحة والصواريخ ومخزن للوقود في المكان ذاته»."
    )
    assert near(resolved_at(doc, "المكان ذاته").place, 33.35, 43.78)
    # the event of the second sentence is in Fallujah, not in Iraq at large
    assert near(clause_place(doc, "تم تدميرها مع تفجير مخبأ كبير للأسلحة"), 33.35, 43.78)


def test_the_region_itself_in_a_new_paragraph(tag):
    # snn-2015-07-23-0285: "وكان الإقليم نفسه قد شهد تفجيرا انتحاريا" (the Suruç bombing, Şanlıurfa)
    doc = tag(
        "من جهة أخرى أفادت تقارير إخبارية تركية بأنه تم العثور على ضابطي شرطة مقتولين في إقليم شانلي أورفا "
        "على الحدود مع سورية.\n\n"
        "وأوضح كوتشوك أن الضابطين كانا يعملان بشرطة مكافحة الشغب، مشيراً إلى أنه لم يتضح بعد ما إذا كان "
        "الحادث «إرهابياً». وكان الإقليم نفسه قد شهد تفجيراً انتحارياً أمس الأول أسفر عن مقتل 32 شخصاً "
        "وإصابة أكثر من مائة آخرين."
    )
    urfa = resolved_at(doc, "شانلي أورفا").place
    # the gazetteer holds Şanlıurfa as a town; the phrase names the province (Suruç, where the
    # bombing was, is in it, 39 km from the town)
    area = resolved_at(doc, "الإقليم نفسه").place
    assert urfa.precision == "city"
    assert (area.country, area.admin1, area.precision) == ("TR", urfa.admin1, "admin1")
    assert clause_place(doc, "وكان الإقليم نفسه قد شهد تفجيراً انتحارياً").id == area.id


def test_before_form_and_clitics(tag):
    # snn-2015-08-08-0876: "وفي منطقة ساقين بنفس المحافظة" after strikes in Saada province
    doc = tag(
        "وقالت مصادر ميدانية إن غارات عنيفة استهدفت مواقع التمرد في المناطق والمديريات الحدودية مع المملكة في "
        "محافظة صعدة، معقل جماعة الحوثي، فيما استهدف أيضا منازل لكبار قادة جماعة الحوثي هناك. مشيرة إلى أن "
        "طيران التحالف قصف منطقة مران بعدد من الغارات، منها غارتان استهدفتا منزل القياديين في الجماعة "
        "المتمردة، حسن حمود غثاية، وعلي الكعيت.\n وفي منطقة ساقين بنفس المحافظة، قصف طيران التحالف المركز "
        "الثقافي، الذي يتخذه المتمردون مركزا لإدارة عملياتهم."
    )
    saada = resolved_at(doc, "صعدة").place
    # "named": the place written after "محافظة", even with the town of مران named after it
    # the governorate itself (the gazetteer has it), not the town of Saada
    area = resolved_at(doc, "نفس المحافظة").place
    assert (area.feature, area.country, area.admin1) == ("admin1", "YE", saada.admin1)


def test_no_earlier_place_no_anaphora(tag):
    # snn-2015-08-03-0827, its sentence alone: nothing before "المنطقة نفسها" to point back to
    doc = tag(
        "وهاجمت جبهة النصرة الجمعة الماضي مقرا للفرقة 30 في المنطقة نفسها، ووقعت اشتباكات بينها وبين "
        "المدافعين عن المقر تسببت في مقتل 25 مقاتلا من الطرفين، بحسب المرصد."
    )
    assert not marked(doc, "anaphora")


def test_a_country_is_no_antecedent(tag):
    # snn-2015-08-03-0827: "المنطقة نفسها" after "في سورية" is some area of Syria, not its centroid
    doc = tag(
        'وأكد أن المتدربين تلقوا بندقية ومبلغا من المال كي يأتوا "لمحاربة النصرة" في سورية.\n'
        " وهاجمت جبهة النصرة الجمعة الماضي مقرا للفرقة 30 في المنطقة نفسها، ووقعت اشتباكات بينها وبين "
        "المدافعين عن المقر تسببت في مقتل 25 مقاتلا من الطرفين، بحسب المرصد."
    )
    assert not marked(doc, "anaphora")


# --- districts the gazetteer lacks ---------------------------------------------------------------


def test_unknown_district_is_in_the_town_named_before(tag):
    # snn-2015-07-22-0029
    doc = tag(
        "قالت وكالة «سانا» إن «وحدات الجيش العاملة في الحسكة والقوى الوطنية المؤازرة حققت تقدما جديدا في "
        "ملاحقة مقاتلي تنظيم داعش، عبر حصارهم في بؤر ضيقة بمحيط المقبرة على الأطراف الجنوبية الشرقية لحي "
        "غويران بالتوازي مع استمرار العملية العسكرية في الأحياء التي تسلل إليها»."
    )
    r = resolved_at(doc, "حي غويران")
    assert "district" in r.evidence and r.place.precision == "city" and near(r.place, 36.50, 40.75)


def test_district_list_in_taiz(tag):
    # snn-2015-07-23-0072
    doc = tag(
        "وبينما تستمر المقاومة الشعبية في ملاحقة المسلحين الحوثيين في محافظة تعز، قال الصحافي في تعز، فؤاد "
        "المسلمي، إن «مسلحي المقاومة الشعبية استطاعوا السيطرة، أمس، على تبة الكشار في جبل صبر». وأضاف: "
        "«قام المسلحون الحوثيون، أمس، بالقصف بمدافع هاون والدبابات على وسط المدينة على حي الروضة وحي المسبح "
        "وحي التحرير الأسفل، ومستشفى الثورة العام»."
    )
    for district in ("حي الروضة", "حي المسبح", "حي التحرير"):
        assert near(resolved_at(doc, district).place, 13.58, 44.02), district


def test_district_followed_by_its_town_keeps_the_town(tag):
    # snn-2015-07-22-0037: "حي نزال، وسط الفلوجة": the sentence names the town itself
    doc = tag(
        "وفي مدينة الفلوجة، 50 كلم شرق الرمادي، كشف مصدر في قيادة عمليات الأنبار، عن مقتل سبعة من قادة "
        "تنظيم داعش بقصف مدفعي، وسط المدينة. وقال المصدر، إن «وحدة الصواريخ والميدان التابعة للجيش العراقي "
        "تمكنت من تحديد مقر لتنظيم داعش في حي نزال، وسط الفلوجة، وتم قصفه بالصواريخ والمدفعية»."
    )
    assert not marked(doc, "district")


def test_alive_is_no_district(tag):
    # snn-2015-07-24-0931: "عبر بث حي" (a live stream); "في القاهرة" added so that a town is there
    doc = tag(
        "حاول الشاب اسامة جمال دون جدوى حضور مباراة لفريقه الزمالك في الدوري المصري لينتهي به الحال محبطا "
        "على الرصيف في القاهرة متابعا اللقاء عبر بث حي على هاتفه المحمول امام الملعب الفارغ."
    )
    assert not marked(doc, "district")


# --- a distance without its unit ---------------------------------------------------------------


def test_bare_number_before_a_direction_is_a_distance(tag):
    # snn-2015-07-22-1361: the hospital of al-Ais, "250 شمال غرب المدينة المنورة"
    doc = tag(
        "لجأت مديرية الشؤون الصحية بالمدينة المنورة إلى الجهات الأمنية، لتعقب عدد من الشبان دخلوا مستشفى "
        'العيص العام "250 شمال غرب المدينة المنورة"، والتقطوا صورا داخل أحد المكاتب الإدارية.'
    )
    refs = [r for r in geo_state(doc)["resolved"] if r.role == "reference"]
    assert [doc.surface(r.start, r.end) for r in refs] == ["المدينة المنورة"]


def test_direction_before_a_cue_word(tag):
    # dev article 003 (elmaouid): "(450 شرق العاصمة طرابلس)": Tripoli only measures the distance
    doc = tag(
        "وقال محمد الغصري، المتحدث باسم البنيان المرصوص، إن الخطط لا تقتصر على اقتحام الحي الأخير شمال "
        "سرت (450 شرق العاصمة طرابلس)."
    )
    assert resolved_at(doc, "طرابلس").role == "reference"
    assert resolved_at(doc, "سرت").role == "place"


def test_road_number_is_no_distance(tag):
    # snn-2015-08-11-0357
    doc = tag(
        "أصيب شاب فلسطيني داخل محطة الوقود قرب حاجز «عوفر» التابع لقوات الاحتلال المقام على الطريق رقم 443 "
        "غرب مدينة رام الله."
    )
    assert resolved_at(doc, "رام الله").role == "place"


def test_event_told_after_a_distance_is_not_at_the_reference(tag):
    # dev article 003 (elmaouid): the car bombs of the next sentence are in Sirte, not in Tripoli
    # (the event builder looks back for the paragraph's last town, skipping distance references)
    from marsad.model import Article
    from marsad.pipeline import Pipeline

    text = (
        "وقال محمد الغصري، المتحدث باسم “البنيان المرصوص”، إن “الخطط التي تدرس حاليا لا تقتصر على اقتحام "
        "الحي الأخير شمال سرت (450 شرق العاصمة طرابلس)، وإنما تتسع لتشمل كيفية تأمينها”.وذكر الغصري أن "
        "“نشر داعش لعدد كبير من القناصة، وتوالي إرسال السيارات المفخخة، ما يشبه الانتحار الجماعي لمقاتلي "
        "التنظيم، جعلنا نعيد النظر في خططنا الحالية”."
    )
    doc = Pipeline.default()(Article(id="t", text=text))
    assert doc.events and {e.location.name for e in doc.events} == {"Sirte"}


# --- the town named again by a bare noun ----------------------------------------------------------


def test_bare_city_is_the_town_just_named(tag):
    # snn-2015-08-08-0153: the barrels fall "على أماكن متعددة في المدينة", i.e. in Daraya
    doc = tag(
        "وفي المشهد الميداني، أفاد المرصد السوري لحقوق الإنسان، أن «الطيران المروحي التابع للنظام، جدد قصفه "
        "بالبراميل المتفجرة لمدينة داريا، حيث ألقى 12 برميلاً متفجرًا على الأقل على أماكن متعددة في المدينة». "
        "وأشار إلى أن «الفصائل الإسلامية المقاتلة في المدينة تمكنت من قتل وجرح العشرات من قوات النظام»."
    )
    daraya = resolved_at(doc, "داريا").place
    bare = marked(doc, "bare")
    assert [doc.surface(r.start, r.end) for r in bare] == ["المدينة", "المدينة"]
    assert {r.place.id for r in bare} == {daraya.id}


def test_bare_city_after_a_town_in_a_list_is_medina(tag):
    # snn-2015-08-02-1157 (a headline): "مكة والمدينة" names Medina, not Mecca again
    doc = tag("تقديم الموعد في مكة والمدينة لتفادي زحام الحج")
    assert not marked(doc, "bare")


def test_border_side_is_the_country_named_nearest(tag):
    # dev article 003 (elmaouid): the Libyan IS claims an attack on a Burkinabe army post "near the
    # border with Niger": the post is on Burkina Faso's side, though Libya is named first
    doc = tag(
        "ويؤكد تلك التخوفات النشاط الذي بدأه تنظيم داعش الليبي، في شن أول عملية له خارج حدود ليبيا،  حيث "
        "تبنى أول هجوم مسلح له في غرب إفريقيا،وأعلن مسؤوليته عن الهجوم الذي استهدف موقعا للجيش البوركيني قرب "
        "الحدود مع النيجر والذي أسفر عن قتلى وجرحى."
    )
    place = clause_place(doc, "الهجوم الذي استهدف موقعا للجيش البوركيني قرب الحدود مع النيجر")
    assert (place.country, place.precision) == ("BF", "region")


# --- a place given only by its distance from another --------------------------------------------


def test_distance_from_a_town_gives_the_point_not_the_town(tag):
    # snn-2015-07-22-0114: the checkpoint of al-Tarmiyah "على بعد حوالى 25 كيلومترا شمال بغداد"
    doc = tag(
        "وقالت مصادر بالشرطة ومصادر طبية، ان ما لا يقل عن ستة من رجال الجيش والشرطة قتلوا في هجوم انتحاري "
        "استهدف نقطة تفتيش في بلدة الطارمية بوسط البلاد على بعد حوالى 25 كيلومترا شمال بغداد."
    )
    place = clause_place(doc, "قتلوا في هجوم انتحاري استهدف نقطة تفتيش في بلدة الطارمية")
    assert near(place, 33.67, 44.39)  # al-Tarmiyah is named: the reference is not the place
    # snn-2015-07-21-0458: "بوابة الثلاثين" (Gate 30) is no gazetteer name: the point 30 km west
    doc = tag(
        "ويقول إن عناصر من «داعش» ما زالوا يتحصنون في مقر التلفزيون الليبي القديم، وفي «بوابة الثلاثين» على "
        "بعد 30 كلم غرب سرت."
    )
    place = clause_place(doc, "وفي «بوابة الثلاثين» على بعد 30 كلم غرب سرت")
    sirte = resolved_at(doc, "سرت").place
    assert 28 < haversine_km((place.lat, place.lon), (sirte.lat, sirte.lon)) < 32 and place.lon < sirte.lon
    assert (place.country, place.precision, place.name) == ("LY", "city", "30 km west of Sirte")


def test_glued_unit_and_reference_offset(tag):
    # snn-2015-07-21-1614: "قضاء البعاج 510 كم شمال غرب بغداد", and "120كم" written as one word
    doc = tag(
        "تمكنت قوات البيشمركة من تدمير خمس سيارات مفخخة تعود لتنظيم داعش كان ينوي تفجيرها في منطقة السيدة "
        "زينب وسط قضاء سنجار 120كم شمال غرب الموصل."
    )
    mosul = resolved_at(doc, "الموصل")
    assert mosul.role == "reference" and mosul.offset == (120.0, (1, -1))


def test_the_town_itself_stays_the_town(tag):
    # snn-2015-07-23-0554 reworded with مدينة: a town noun keeps the town, a province noun does not
    doc = tag("تم العثور على ضابطي شرطة مقتولين في مدينة شانلي أورفا.. وكانت المدينة نفسها قد شهدت تفجيرا.")
    assert resolved_at(doc, "المدينة نفسها").place.precision == "city"


def test_district_sharing_a_faraway_villages_name_is_the_towns(tag):
    # snn-2015-08-10-0558: "بحي الزهور" in Arish, not Qaryat al Zuhur 400 km west
    clause = (
        "في انفجار عبوة ناسفة بمدرعة تابعة لقوات الشرطة قامت عناصر مسلحة بزرعها بجوار الطريق بحي الزهور، "
        "وفجروها عن بعد، حيث شهدت مدينة العريش إجراءات أمنية مكثفة"
    )
    doc = tag("شهدت شمال سيناء أمس الاحد استنفاراً أمنياً للبحث عن المتورطين في مقتل ضابط ومجند وإصابة 3 آخرين " + clause)
    assert [r.place.name for r in geo_state(doc)["resolved"]] == ["Shamāl Sīnā'", "Arīsh"]
    assert near(clause_place(doc, clause), 31.13, 33.80)
