package forward

// calendars hold, per language, the names of months, weekdays and the AM/PM
// markers, and the order of an all-numeric date, as the Unicode CLDR gives
// them (unicode-org/cldr-json at b08a82b582, cldr-json/cldr-dates-full/main/
// <locale>/ca-gregorian.json: months and days, format and stand-alone, wide,
// abbreviated and short; dayPeriods am/pm; the order of dateFormats.short).
// Clients format dates with these very names (Java, ICU, Apple and browsers
// all use CLDR), so a date line in any of these languages can be read back.
var calendars = map[string]calendar{
	"en": { // English (en, en-GB)
		months:   [12][]string{{"January", "Jan"}, {"February", "Feb"}, {"March", "Mar"}, {"April", "Apr"}, {"May"}, {"June", "Jun"}, {"July", "Jul"}, {"August", "Aug"}, {"September", "Sep", "Sept"}, {"October", "Oct"}, {"November", "Nov"}, {"December", "Dec"}},
		weekdays: [][]string{{"Sunday", "Sun", "Su"}, {"Monday", "Mon", "Mo"}, {"Tuesday", "Tue", "Tu"}, {"Wednesday", "Wed", "We"}, {"Thursday", "Thu", "Th"}, {"Friday", "Fri", "Fr"}, {"Saturday", "Sat", "Sa"}},
		am:       []string{"AM", "am"}, pm: []string{"PM", "pm"}, order: "MDY",
	},
	"de": { // German (de)
		months:   [12][]string{{"Januar", "Jan.", "Jan"}, {"Februar", "Feb.", "Feb"}, {"März", "Mär"}, {"April", "Apr.", "Apr"}, {"Mai"}, {"Juni", "Jun"}, {"Juli", "Jul"}, {"August", "Aug.", "Aug"}, {"September", "Sept.", "Sep"}, {"Oktober", "Okt.", "Okt"}, {"November", "Nov.", "Nov"}, {"Dezember", "Dez.", "Dez"}},
		weekdays: [][]string{{"Sonntag", "So.", "So"}, {"Montag", "Mo.", "Mo"}, {"Dienstag", "Di.", "Di"}, {"Mittwoch", "Mi.", "Mi"}, {"Donnerstag", "Do.", "Do"}, {"Freitag", "Fr.", "Fr"}, {"Samstag", "Sa.", "Sa"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"fr": { // French (fr)
		months:   [12][]string{{"janvier", "janv."}, {"février", "févr."}, {"mars"}, {"avril", "avr."}, {"mai"}, {"juin"}, {"juillet", "juil."}, {"août"}, {"septembre", "sept."}, {"octobre", "oct."}, {"novembre", "nov."}, {"décembre", "déc."}},
		weekdays: [][]string{{"dimanche", "dim.", "di"}, {"lundi", "lun.", "lu"}, {"mardi", "mar.", "ma"}, {"mercredi", "mer.", "me"}, {"jeudi", "jeu.", "je"}, {"vendredi", "ven.", "ve"}, {"samedi", "sam.", "sa"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"es": { // Spanish (es)
		months:   [12][]string{{"enero", "ene"}, {"febrero", "feb"}, {"marzo", "mar"}, {"abril", "abr"}, {"mayo", "may"}, {"junio", "jun"}, {"julio", "jul"}, {"agosto", "ago"}, {"septiembre", "sept"}, {"octubre", "oct"}, {"noviembre", "nov"}, {"diciembre", "dic"}},
		weekdays: [][]string{{"domingo", "dom", "DO"}, {"lunes", "lun", "LU"}, {"martes", "mar", "MA"}, {"miércoles", "mié", "MI"}, {"jueves", "jue", "JU"}, {"viernes", "vie", "VI"}, {"sábado", "sáb", "SA"}},
		am:       []string{"a. m.", "a. m."}, pm: []string{"p. m.", "p. m."}, order: "DMY",
	},
	"it": { // Italian (it)
		months:   [12][]string{{"gennaio", "gen"}, {"febbraio", "feb"}, {"marzo", "mar"}, {"aprile", "apr"}, {"maggio", "mag"}, {"giugno", "giu"}, {"luglio", "lug"}, {"agosto", "ago"}, {"settembre", "set"}, {"ottobre", "ott"}, {"novembre", "nov"}, {"dicembre", "dic"}},
		weekdays: [][]string{{"domenica", "dom"}, {"lunedì", "lun"}, {"martedì", "mar"}, {"mercoledì", "mer"}, {"giovedì", "gio"}, {"venerdì", "ven"}, {"sabato", "sab"}},
		am:       []string{"AM", "m."}, pm: []string{"PM", "p."}, order: "DMY",
	},
	"nl": { // Dutch (nl)
		months:   [12][]string{{"januari", "jan"}, {"februari", "feb"}, {"maart", "mrt"}, {"april", "apr"}, {"mei"}, {"juni", "jun"}, {"juli", "jul"}, {"augustus", "aug"}, {"september", "sep"}, {"oktober", "okt"}, {"november", "nov"}, {"december", "dec"}},
		weekdays: [][]string{{"zondag", "zo"}, {"maandag", "ma"}, {"dinsdag", "di"}, {"woensdag", "wo"}, {"donderdag", "do"}, {"vrijdag", "vr"}, {"zaterdag", "za"}},
		am:       []string{"a.m."}, pm: []string{"p.m."}, order: "DMY",
	},
	"pt-BR": { // Portuguese (Brazil) (pt)
		months:   [12][]string{{"janeiro", "jan."}, {"fevereiro", "fev."}, {"março", "mar."}, {"abril", "abr."}, {"maio", "mai."}, {"junho", "jun."}, {"julho", "jul."}, {"agosto", "ago."}, {"setembro", "set."}, {"outubro", "out."}, {"novembro", "nov."}, {"dezembro", "dez."}},
		weekdays: [][]string{{"domingo", "dom."}, {"segunda-feira", "seg."}, {"terça-feira", "ter."}, {"quarta-feira", "qua."}, {"quinta-feira", "qui."}, {"sexta-feira", "sex."}, {"sábado", "sáb."}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"pt-PT": { // Portuguese (Portugal) (pt-PT)
		months:   [12][]string{{"janeiro", "jan."}, {"fevereiro", "fev."}, {"março", "mar."}, {"abril", "abr."}, {"maio", "mai."}, {"junho", "jun."}, {"julho", "jul."}, {"agosto", "ago."}, {"setembro", "set."}, {"outubro", "out."}, {"novembro", "nov."}, {"dezembro", "dez."}},
		weekdays: [][]string{{"domingo", "dom."}, {"segunda-feira", "segunda", "seg."}, {"terça-feira", "terça", "ter."}, {"quarta-feira", "quarta", "qua."}, {"quinta-feira", "quinta", "qui."}, {"sexta-feira", "sexta", "sex."}, {"sábado", "sáb."}},
		am:       []string{"a.m.", "da manhã", "manhã"}, pm: []string{"p.m.", "da tarde", "tarde"}, order: "DMY",
	},
	"pl": { // Polish (pl)
		months:   [12][]string{{"stycznia", "sty", "styczeń"}, {"lutego", "lut", "luty"}, {"marca", "mar", "marzec"}, {"kwietnia", "kwi", "kwiecień"}, {"maja", "maj"}, {"czerwca", "cze", "czerwiec"}, {"lipca", "lip", "lipiec"}, {"sierpnia", "sie", "sierpień"}, {"września", "wrz", "wrzesień"}, {"października", "paź", "październik"}, {"listopada", "lis", "listopad"}, {"grudnia", "gru", "grudzień"}},
		weekdays: [][]string{{"niedziela", "niedz.", "nie"}, {"poniedziałek", "pon.", "pon"}, {"wtorek", "wt.", "wto"}, {"środa", "śr.", "śro"}, {"czwartek", "czw.", "czw"}, {"piątek", "pt.", "pią"}, {"sobota", "sob.", "sob"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"cs": { // Czech (cs)
		months:   [12][]string{{"ledna", "led", "leden"}, {"února", "úno", "únor"}, {"března", "bře", "březen"}, {"dubna", "dub", "duben"}, {"května", "kvě", "květen"}, {"června", "čvn", "červen"}, {"července", "čvc", "červenec"}, {"srpna", "srp", "srpen"}, {"září", "zář"}, {"října", "říj", "říjen"}, {"listopadu", "lis", "listopad"}, {"prosince", "pro", "prosinec"}},
		weekdays: [][]string{{"neděle", "ne"}, {"pondělí", "po"}, {"úterý", "út"}, {"středa", "st"}, {"čtvrtek", "čt"}, {"pátek", "pá"}, {"sobota", "so"}},
		am:       []string{"dop."}, pm: []string{"odp."}, order: "DMY",
	},
	"sk": { // Slovak (sk)
		months:   [12][]string{{"januára", "jan", "január"}, {"februára", "feb", "február"}, {"marca", "mar", "marec"}, {"apríla", "apr", "apríl"}, {"mája", "máj"}, {"júna", "jún"}, {"júla", "júl"}, {"augusta", "aug", "august"}, {"septembra", "sep", "september"}, {"októbra", "okt", "október"}, {"novembra", "nov", "november"}, {"decembra", "dec", "december"}},
		weekdays: [][]string{{"nedeľa", "ne"}, {"pondelok", "po"}, {"utorok", "ut"}, {"streda", "st"}, {"štvrtok", "št"}, {"piatok", "pi"}, {"sobota", "so"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"hu": { // Hungarian (hu)
		months:   [12][]string{{"január", "jan."}, {"február", "febr."}, {"március", "márc."}, {"április", "ápr."}, {"május", "máj."}, {"június", "jún."}, {"július", "júl."}, {"augusztus", "aug."}, {"szeptember", "szept."}, {"október", "okt."}, {"november", "nov."}, {"december", "dec."}},
		weekdays: [][]string{{"vasárnap", "V"}, {"hétfő", "H"}, {"kedd", "K"}, {"szerda", "Sze"}, {"csütörtök", "Cs"}, {"péntek", "P"}, {"szombat", "Szo"}},
		am:       []string{"de."}, pm: []string{"du."}, order: "YMD",
	},
	"ro": { // Romanian (ro)
		months:   [12][]string{{"ianuarie", "ian."}, {"februarie", "feb."}, {"martie", "mar."}, {"aprilie", "apr."}, {"mai"}, {"iunie", "iun."}, {"iulie", "iul."}, {"august", "aug."}, {"septembrie", "sept."}, {"octombrie", "oct."}, {"noiembrie", "nov."}, {"decembrie", "dec."}},
		weekdays: [][]string{{"duminică", "dum.", "du."}, {"luni", "lun.", "lu."}, {"marți", "mar.", "ma."}, {"miercuri", "mie.", "mi."}, {"joi"}, {"vineri", "vin.", "vi."}, {"sâmbătă", "sâm.", "sâ."}},
		am:       []string{"a.m."}, pm: []string{"p.m."}, order: "DMY",
	},
	"ru": { // Russian (ru)
		months:   [12][]string{{"января", "янв.", "январь"}, {"февраля", "февр.", "февраль"}, {"марта", "мар.", "март"}, {"апреля", "апр.", "апрель"}, {"мая", "май"}, {"июня", "июн.", "июнь"}, {"июля", "июл.", "июль"}, {"августа", "авг.", "август"}, {"сентября", "сент.", "сентябрь"}, {"октября", "окт.", "октябрь"}, {"ноября", "нояб.", "ноябрь"}, {"декабря", "дек.", "декабрь"}},
		weekdays: [][]string{{"воскресенье", "вс"}, {"понедельник", "пн"}, {"вторник", "вт"}, {"среда", "ср"}, {"четверг", "чт"}, {"пятница", "пт"}, {"суббота", "сб"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"uk": { // Ukrainian (uk)
		months:   [12][]string{{"січня", "січ.", "січень"}, {"лютого", "лют.", "лютий"}, {"березня", "бер.", "березень"}, {"квітня", "квіт.", "квітень"}, {"травня", "трав.", "травень"}, {"червня", "черв.", "червень"}, {"липня", "лип.", "липень"}, {"серпня", "серп.", "серпень"}, {"вересня", "вер.", "вересень"}, {"жовтня", "жовт.", "жовтень"}, {"листопада", "лист.", "листопад"}, {"грудня", "груд.", "грудень"}},
		weekdays: [][]string{{"неділя", "нд"}, {"понеділок", "пн"}, {"вівторок", "вт"}, {"середа", "ср"}, {"четвер", "чт"}, {"пʼятниця", "пт"}, {"субота", "сб"}},
		am:       []string{"дп"}, pm: []string{"пп"}, order: "DMY",
	},
	"tr": { // Turkish (tr)
		months:   [12][]string{{"Ocak", "Oca"}, {"Şubat", "Şub"}, {"Mart", "Mar"}, {"Nisan", "Nis"}, {"Mayıs", "May"}, {"Haziran", "Haz"}, {"Temmuz", "Tem"}, {"Ağustos", "Ağu"}, {"Eylül", "Eyl"}, {"Ekim", "Eki"}, {"Kasım", "Kas"}, {"Aralık", "Ara"}},
		weekdays: [][]string{{"Pazar", "Paz", "Pa"}, {"Pazartesi", "Pzt", "Pt"}, {"Salı", "Sal", "Sa"}, {"Çarşamba", "Çar", "Ça"}, {"Perşembe", "Per", "Pe"}, {"Cuma", "Cum", "Cu"}, {"Cumartesi", "Cmt", "Ct"}},
		am:       []string{"ÖÖ", "öö"}, pm: []string{"ÖS", "ös"}, order: "DMY",
	},
	"sv": { // Swedish (sv)
		months:   [12][]string{{"januari", "jan."}, {"februari", "feb."}, {"mars"}, {"april", "apr."}, {"maj"}, {"juni"}, {"juli"}, {"augusti", "aug."}, {"september", "sep."}, {"oktober", "okt."}, {"november", "nov."}, {"december", "dec."}},
		weekdays: [][]string{{"söndag", "sön", "sö"}, {"måndag", "mån", "må"}, {"tisdag", "tis", "ti"}, {"onsdag", "ons", "on"}, {"torsdag", "tors", "to"}, {"fredag", "fre", "fr"}, {"lördag", "lör", "lö"}},
		am:       []string{"fm", "förmiddag"}, pm: []string{"em", "eftermiddag"}, order: "YMD",
	},
	"da": { // Danish (da)
		months:   [12][]string{{"januar", "jan."}, {"februar", "feb."}, {"marts", "mar."}, {"april", "apr."}, {"maj"}, {"juni", "jun."}, {"juli", "jul."}, {"august", "aug."}, {"september", "sep."}, {"oktober", "okt."}, {"november", "nov."}, {"december", "dec."}},
		weekdays: [][]string{{"søndag", "søn.", "sø."}, {"mandag", "man.", "ma."}, {"tirsdag", "tirs.", "ti."}, {"onsdag", "ons.", "on."}, {"torsdag", "tors.", "to."}, {"fredag", "fre.", "fr."}, {"lørdag", "lør.", "lø."}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"nb": { // Norwegian Bokmål (nb)
		months:   [12][]string{{"januar", "jan.", "jan"}, {"februar", "feb.", "feb"}, {"mars", "mar"}, {"april", "apr.", "apr"}, {"mai"}, {"juni", "jun"}, {"juli", "jul"}, {"august", "aug.", "aug"}, {"september", "sep.", "sep"}, {"oktober", "okt.", "okt"}, {"november", "nov.", "nov"}, {"desember", "des.", "des"}},
		weekdays: [][]string{{"søndag", "søn.", "sø."}, {"mandag", "man.", "ma."}, {"tirsdag", "tir.", "ti."}, {"onsdag", "ons.", "on."}, {"torsdag", "tor.", "to."}, {"fredag", "fre.", "fr."}, {"lørdag", "lør.", "lø."}},
		am:       []string{"a.m."}, pm: []string{"p.m."}, order: "DMY",
	},
	"fi": { // Finnish (fi)
		months:   [12][]string{{"tammikuuta", "tammi", "tammikuu"}, {"helmikuuta", "helmi", "helmikuu"}, {"maaliskuuta", "maalis", "maaliskuu"}, {"huhtikuuta", "huhti", "huhtikuu"}, {"toukokuuta", "touko", "toukokuu"}, {"kesäkuuta", "kesä", "kesäkuu"}, {"heinäkuuta", "heinä", "heinäkuu"}, {"elokuuta", "elo", "elokuu"}, {"syyskuuta", "syys", "syyskuu"}, {"lokakuuta", "loka", "lokakuu"}, {"marraskuuta", "marras", "marraskuu"}, {"joulukuuta", "joulu", "joulukuu"}},
		weekdays: [][]string{{"sunnuntai", "su"}, {"maanantaina", "ma", "maanantai"}, {"tiistaina", "ti", "tiistai"}, {"keskiviikkona", "ke", "keskiviikko"}, {"torstaina", "to", "torstai"}, {"perjantaina", "pe", "perjantai"}, {"lauantaina", "la", "lauantai"}},
		am:       []string{"ap."}, pm: []string{"ip."}, order: "DMY",
	},
	"et": { // Estonian (et)
		months:   [12][]string{{"jaanuar", "jaan"}, {"veebruar", "veebr"}, {"märts"}, {"aprill", "apr"}, {"mai"}, {"juuni"}, {"juuli"}, {"august", "aug"}, {"september", "sept"}, {"oktoober", "okt"}, {"november", "nov"}, {"detsember", "dets"}},
		weekdays: [][]string{{"pühapäev", "P"}, {"esmaspäev", "E"}, {"teisipäev", "T"}, {"kolmapäev", "K"}, {"neljapäev", "N"}, {"reede", "R"}, {"laupäev", "L"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"lv": { // Latvian (lv)
		months:   [12][]string{{"janvāris", "janv."}, {"februāris", "febr."}, {"marts"}, {"aprīlis", "apr."}, {"maijs"}, {"jūnijs", "jūn."}, {"jūlijs", "jūl."}, {"augusts", "aug."}, {"septembris", "sept."}, {"oktobris", "okt."}, {"novembris", "nov."}, {"decembris", "dec."}},
		weekdays: [][]string{{"svētdiena", "svētd.", "Sv", "Svētdiena", "Svētd."}, {"pirmdiena", "pirmd.", "Pr", "Pirmdiena", "Pirmd."}, {"otrdiena", "otrd.", "Ot", "Otrdiena", "Otrd."}, {"trešdiena", "trešd.", "Tr", "Trešdiena", "Trešd."}, {"ceturtdiena", "ceturtd.", "Ce", "Ceturtdiena", "Ceturtd."}, {"piektdiena", "piektd.", "Pk", "Piektdiena", "Piektd."}, {"sestdiena", "sestd.", "Se", "Sestdiena", "Sestd."}},
		am:       []string{"priekšp.", "priekšpusdienā", "priekšpusdiena"}, pm: []string{"pēcp.", "pēcpusdienā", "pēcpusd.", "pēcpusdiena"}, order: "DMY",
	},
	"lt": { // Lithuanian (lt)
		months:   [12][]string{{"sausio", "saus.", "sausis"}, {"vasario", "vas.", "vasaris"}, {"kovo", "kov.", "kovas"}, {"balandžio", "bal.", "balandis"}, {"gegužės", "geg.", "gegužė"}, {"birželio", "birž.", "birželis"}, {"liepos", "liep.", "liepa"}, {"rugpjūčio", "rugp.", "rugpjūtis"}, {"rugsėjo", "rugs.", "rugsėjis"}, {"spalio", "spal.", "spalis"}, {"lapkričio", "lapkr.", "lapkritis"}, {"gruodžio", "gruod.", "gruodis"}},
		weekdays: [][]string{{"sekmadienis", "sk", "Sk"}, {"pirmadienis", "pr", "Pr"}, {"antradienis", "an", "An"}, {"trečiadienis", "tr", "Tr"}, {"ketvirtadienis", "kt", "Kt"}, {"penktadienis", "pn", "Pn"}, {"šeštadienis", "št", "Št"}},
		am:       []string{"priešpiet", "pr. p."}, pm: []string{"popiet", "pop."}, order: "YMD",
	},
	"sl": { // Slovenian (sl)
		months:   [12][]string{{"januar", "jan."}, {"februar", "feb."}, {"marec", "mar."}, {"april", "apr."}, {"maj"}, {"junij", "jun."}, {"julij", "jul."}, {"avgust", "avg."}, {"september", "sep."}, {"oktober", "okt."}, {"november", "nov."}, {"december", "dec."}},
		weekdays: [][]string{{"nedelja", "ned."}, {"ponedeljek", "pon."}, {"torek", "tor."}, {"sreda", "sre."}, {"četrtek", "čet."}, {"petek", "pet."}, {"sobota", "sob."}},
		am:       []string{"dop.", "dopoldne"}, pm: []string{"pop.", "popoldne"}, order: "DMY",
	},
	"hr": { // Croatian (hr)
		months:   [12][]string{{"siječnja", "sij", "siječanj"}, {"veljače", "velj", "veljača"}, {"ožujka", "ožu", "ožujak"}, {"travnja", "tra", "travanj"}, {"svibnja", "svi", "svibanj"}, {"lipnja", "lip", "lipanj"}, {"srpnja", "srp", "srpanj"}, {"kolovoza", "kol", "kolovoz"}, {"rujna", "ruj", "rujan"}, {"listopada", "lis", "listopad"}, {"studenoga", "stu", "studeni"}, {"prosinca", "pro", "prosinac"}},
		weekdays: [][]string{{"nedjelja", "ned"}, {"ponedjeljak", "pon"}, {"utorak", "uto"}, {"srijeda", "sri"}, {"četvrtak", "čet"}, {"petak", "pet"}, {"subota", "sub"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"bg": { // Bulgarian (bg)
		months:   [12][]string{{"януари", "яну"}, {"февруари", "фев"}, {"март"}, {"април", "апр"}, {"май"}, {"юни"}, {"юли"}, {"август", "авг"}, {"септември", "сеп"}, {"октомври", "окт"}, {"ноември", "ное"}, {"декември", "дек"}},
		weekdays: [][]string{{"неделя", "нд"}, {"понеделник", "пн"}, {"вторник", "вт"}, {"сряда", "ср"}, {"четвъртък", "чт"}, {"петък", "пт"}, {"събота", "сб"}},
		am:       []string{"am", "пр.об."}, pm: []string{"pm", "сл.об."}, order: "DMY",
	},
	"el": { // Greek (el)
		months:   [12][]string{{"Ιανουαρίου", "Ιαν", "Ιανουάριος"}, {"Φεβρουαρίου", "Φεβ", "Φεβρουάριος"}, {"Μαρτίου", "Μαρ", "Μάρτιος", "Μάρ"}, {"Απριλίου", "Απρ", "Απρίλιος"}, {"Μαΐου", "Μαΐ", "Μάιος", "Μάι"}, {"Ιουνίου", "Ιουν", "Ιούνιος", "Ιούν"}, {"Ιουλίου", "Ιουλ", "Ιούλιος", "Ιούλ"}, {"Αυγούστου", "Αυγ", "Αύγουστος", "Αύγ"}, {"Σεπτεμβρίου", "Σεπ", "Σεπτέμβριος"}, {"Οκτωβρίου", "Οκτ", "Οκτώβριος"}, {"Νοεμβρίου", "Νοε", "Νοέμβριος", "Νοέ"}, {"Δεκεμβρίου", "Δεκ", "Δεκέμβριος"}},
		weekdays: [][]string{{"Κυριακή", "Κυρ", "Κυ"}, {"Δευτέρα", "Δευ", "Δε"}, {"Τρίτη", "Τρί", "Τρ"}, {"Τετάρτη", "Τετ", "Τε"}, {"Πέμπτη", "Πέμ", "Πέ"}, {"Παρασκευή", "Παρ", "Πα"}, {"Σάββατο", "Σάβ", "Σά"}},
		am:       []string{"π.μ.", "πμ"}, pm: []string{"μ.μ.", "μμ"}, order: "DMY",
	},
	"ga": { // Irish (ga)
		months:   [12][]string{{"Eanáir", "Ean"}, {"Feabhra", "Feabh"}, {"Márta"}, {"Aibreán", "Aib"}, {"Bealtaine", "Beal"}, {"Meitheamh", "Meith"}, {"Iúil"}, {"Lúnasa", "Lún"}, {"Meán Fómhair", "MFómh"}, {"Deireadh Fómhair", "DFómh"}, {"Samhain", "Samh"}, {"Nollaig", "Noll"}},
		weekdays: [][]string{{"Dé Domhnaigh", "Domh", "Do"}, {"Dé Luain", "Luan", "Lu"}, {"Dé Máirt", "Máirt", "Má"}, {"Dé Céadaoin", "Céad", "Cé"}, {"Déardaoin", "Déar", "Dé"}, {"Dé hAoine", "Aoine", "Ao"}, {"Dé Sathairn", "Sath", "Sa"}},
		am:       []string{"r.n."}, pm: []string{"i.n."}, order: "DMY",
	},
	"mt": { // Maltese (mt)
		months:   [12][]string{{"Jannar", "Jan"}, {"Frar", "Fra"}, {"Marzu", "Mar"}, {"April", "Apr"}, {"Mejju", "Mej"}, {"Ġunju", "Ġun"}, {"Lulju", "Lul"}, {"Awwissu", "Aww"}, {"Settembru", "Set"}, {"Ottubru", "Ott"}, {"Novembru", "Nov"}, {"Diċembru", "Diċ"}},
		weekdays: [][]string{{"Il-Ħadd", "Ħad"}, {"It-Tnejn", "Tne"}, {"It-Tlieta", "Tli"}, {"L-Erbgħa", "Erb"}, {"Il-Ħamis", "Ħam"}, {"Il-Ġimgħa", "Ġim"}, {"Is-Sibt", "Sib"}},
		am:       []string{"AM", "am"}, pm: []string{"PM", "pm"}, order: "DMY",
	},
	"ja": { // Japanese (ja)
		months:   [12][]string{{"1月"}, {"2月"}, {"3月"}, {"4月"}, {"5月"}, {"6月"}, {"7月"}, {"8月"}, {"9月"}, {"10月"}, {"11月"}, {"12月"}},
		weekdays: [][]string{{"日曜日", "日"}, {"月曜日", "月"}, {"火曜日", "火"}, {"水曜日", "水"}, {"木曜日", "木"}, {"金曜日", "金"}, {"土曜日", "土"}},
		am:       []string{"午前"}, pm: []string{"午後"}, order: "YMD",
	},
	"zh-Hans": { // Chinese (Simplified) (zh)
		months:   [12][]string{{"一月", "1月"}, {"二月", "2月"}, {"三月", "3月"}, {"四月", "4月"}, {"五月", "5月"}, {"六月", "6月"}, {"七月", "7月"}, {"八月", "8月"}, {"九月", "9月"}, {"十月", "10月"}, {"十一月", "11月"}, {"十二月", "12月"}},
		weekdays: [][]string{{"星期日", "周日"}, {"星期一", "周一"}, {"星期二", "周二"}, {"星期三", "周三"}, {"星期四", "周四"}, {"星期五", "周五"}, {"星期六", "周六"}},
		am:       []string{"上午"}, pm: []string{"下午"}, order: "YMD",
	},
	"zh-Hant": { // Chinese (Traditional) (zh-Hant)
		months:   [12][]string{{"1月"}, {"2月"}, {"3月"}, {"4月"}, {"5月"}, {"6月"}, {"7月"}, {"8月"}, {"9月"}, {"10月"}, {"11月"}, {"12月"}},
		weekdays: [][]string{{"星期日", "週日", "日"}, {"星期一", "週一", "一"}, {"星期二", "週二", "二"}, {"星期三", "週三", "三"}, {"星期四", "週四", "四"}, {"星期五", "週五", "五"}, {"星期六", "週六", "六"}},
		am:       []string{"上午"}, pm: []string{"下午"}, order: "YMD",
	},
	"ko": { // Korean (ko)
		months:   [12][]string{{"1월"}, {"2월"}, {"3월"}, {"4월"}, {"5월"}, {"6월"}, {"7월"}, {"8월"}, {"9월"}, {"10월"}, {"11월"}, {"12월"}},
		weekdays: [][]string{{"일요일", "일"}, {"월요일", "월"}, {"화요일", "화"}, {"수요일", "수"}, {"목요일", "목"}, {"금요일", "금"}, {"토요일", "토"}},
		am:       []string{"AM", "오전"}, pm: []string{"PM", "오후"}, order: "YMD",
	},
	"ar": { // Arabic (ar)
		months:   [12][]string{{"يناير"}, {"فبراير"}, {"مارس"}, {"أبريل"}, {"مايو"}, {"يونيو"}, {"يوليو"}, {"أغسطس"}, {"سبتمبر"}, {"أكتوبر"}, {"نوفمبر"}, {"ديسمبر"}},
		weekdays: [][]string{{"الأحد", "أحد"}, {"الاثنين", "إثنين"}, {"الثلاثاء", "ثلاثاء"}, {"الأربعاء", "أربعاء"}, {"الخميس", "خميس"}, {"الجمعة", "جمعة"}, {"السبت", "سبت"}},
		am:       []string{"ص", "صباحًا"}, pm: []string{"م", "مساءً"}, order: "DMY",
	},
	"he": { // Hebrew (he)
		months:   [12][]string{{"ינואר", "ינו׳"}, {"פברואר", "פבר׳"}, {"מרץ"}, {"אפריל", "אפר׳"}, {"מאי"}, {"יוני"}, {"יולי"}, {"אוגוסט", "אוג׳"}, {"ספטמבר", "ספט׳"}, {"אוקטובר", "אוק׳"}, {"נובמבר", "נוב׳"}, {"דצמבר", "דצמ׳"}},
		weekdays: [][]string{{"יום ראשון", "יום א׳", "א׳"}, {"יום שני", "יום ב׳", "ב׳"}, {"יום שלישי", "יום ג׳", "ג׳"}, {"יום רביעי", "יום ד׳", "ד׳"}, {"יום חמישי", "יום ה׳", "ה׳"}, {"יום שישי", "יום ו׳", "ו׳"}, {"יום שבת", "שבת", "ש׳"}},
		am:       []string{"AM", "לפנה״צ"}, pm: []string{"PM", "אחה״צ"}, order: "DMY",
	},
	"hi": { // Hindi (hi)
		months:   [12][]string{{"जनवरी", "जन॰"}, {"फ़रवरी", "फ़र॰"}, {"मार्च"}, {"अप्रैल"}, {"मई"}, {"जून"}, {"जुलाई", "जुल॰"}, {"अगस्त", "अग॰"}, {"सितंबर", "सित॰"}, {"अक्टूबर", "अक्टू॰"}, {"नवंबर", "नव॰"}, {"दिसंबर", "दिस॰"}},
		weekdays: [][]string{{"रविवार", "रवि", "र"}, {"सोमवार", "सोम", "सो"}, {"मंगलवार", "मंगल", "मं"}, {"बुधवार", "बुध", "बु"}, {"गुरुवार", "गुरु", "गु"}, {"शुक्रवार", "शुक्र", "शु"}, {"शनिवार", "शनि", "श"}},
		am:       []string{"am"}, pm: []string{"pm"}, order: "DMY",
	},
	"id": { // Indonesian (id)
		months:   [12][]string{{"Januari", "Jan"}, {"Februari", "Feb"}, {"Maret", "Mar"}, {"April", "Apr"}, {"Mei"}, {"Juni", "Jun"}, {"Juli", "Jul"}, {"Agustus", "Agu"}, {"September", "Sep"}, {"Oktober", "Okt"}, {"November", "Nov"}, {"Desember", "Des"}},
		weekdays: [][]string{{"Minggu", "Min"}, {"Senin", "Sen"}, {"Selasa", "Sel"}, {"Rabu", "Rab"}, {"Kamis", "Kam"}, {"Jumat", "Jum"}, {"Sabtu", "Sab"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"ms": { // Malay (ms)
		months:   [12][]string{{"Januari", "Jan"}, {"Februari", "Feb"}, {"Mac"}, {"April", "Apr"}, {"Mei"}, {"Jun"}, {"Julai", "Jul"}, {"Ogos", "Ogo"}, {"September", "Sep"}, {"Oktober", "Okt"}, {"November", "Nov"}, {"Disember", "Dis"}},
		weekdays: [][]string{{"Ahad", "Ahd", "Ah"}, {"Isnin", "Isn", "Is"}, {"Selasa", "Sel", "Se"}, {"Rabu", "Rab", "Ra"}, {"Khamis", "Kha", "Kh"}, {"Jumaat", "Jum", "Ju"}, {"Sabtu", "Sab", "Sa"}},
		am:       []string{"PG"}, pm: []string{"PTG"}, order: "DMY",
	},
	"th": { // Thai (th)
		months:   [12][]string{{"มกราคม", "ม.ค."}, {"กุมภาพันธ์", "ก.พ."}, {"มีนาคม", "มี.ค."}, {"เมษายน", "เม.ย."}, {"พฤษภาคม", "พ.ค."}, {"มิถุนายน", "มิ.ย."}, {"กรกฎาคม", "ก.ค."}, {"สิงหาคม", "ส.ค."}, {"กันยายน", "ก.ย."}, {"ตุลาคม", "ต.ค."}, {"พฤศจิกายน", "พ.ย."}, {"ธันวาคม", "ธ.ค."}},
		weekdays: [][]string{{"วันอาทิตย์", "อา."}, {"วันจันทร์", "จ."}, {"วันอังคาร", "อ."}, {"วันพุธ", "พ."}, {"วันพฤหัสบดี", "พฤ."}, {"วันศุกร์", "ศ."}, {"วันเสาร์", "ส."}},
		am:       []string{"AM", "ก่อนเที่ยง"}, pm: []string{"PM", "หลังเที่ยง"}, order: "DMY",
	},
	"vi": { // Vietnamese (vi)
		months:   [12][]string{{"tháng 1", "thg 1", "Tháng 1"}, {"tháng 2", "thg 2", "Tháng 2"}, {"tháng 3", "thg 3", "Tháng 3"}, {"tháng 4", "thg 4", "Tháng 4"}, {"tháng 5", "thg 5", "Tháng 5"}, {"tháng 6", "thg 6", "Tháng 6"}, {"tháng 7", "thg 7", "Tháng 7"}, {"tháng 8", "thg 8", "Tháng 8"}, {"tháng 9", "thg 9", "Tháng 9"}, {"tháng 10", "thg 10", "Tháng 10"}, {"tháng 11", "thg 11", "Tháng 11"}, {"tháng 12", "thg 12", "Tháng 12"}},
		weekdays: [][]string{{"Chủ Nhật", "CN"}, {"Thứ Hai", "Th 2", "T2"}, {"Thứ Ba", "Th 3", "T3"}, {"Thứ Tư", "Th 4", "T4"}, {"Thứ Năm", "Th 5", "T5"}, {"Thứ Sáu", "Th 6", "T6"}, {"Thứ Bảy", "Th 7", "T7"}},
		am:       []string{"SA"}, pm: []string{"CH"}, order: "DMY",
	},
	"sr": { // Serbian (sr, sr-Latn)
		months:   [12][]string{{"јануар", "јан", "januar", "jan"}, {"фебруар", "феб", "februar", "feb"}, {"март", "мар", "mart", "mar"}, {"април", "апр", "april", "apr"}, {"мај", "maj"}, {"јун", "jun"}, {"јул", "jul"}, {"август", "авг", "avgust", "avg"}, {"септембар", "сеп", "septembar", "sep"}, {"октобар", "окт", "oktobar", "okt"}, {"новембар", "нов", "novembar", "nov"}, {"децембар", "дец", "decembar", "dec"}},
		weekdays: [][]string{{"недеља", "нед", "не", "nedelja", "ned", "ne"}, {"понедељак", "пон", "по", "ponedeljak", "pon", "po"}, {"уторак", "уто", "ут", "utorak", "uto", "ut"}, {"среда", "сре", "ср", "sreda", "sre", "sr"}, {"четвртак", "чет", "че", "četvrtak", "čet", "če"}, {"петак", "пет", "пе", "petak", "pet", "pe"}, {"субота", "суб", "су", "subota", "sub", "su"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"ca": { // Catalan (ca)
		months:   [12][]string{{"de gener", "de gen.", "gener", "gen."}, {"de febrer", "de febr.", "febrer", "febr."}, {"de març", "març"}, {"d’abril", "d’abr.", "abril", "abr."}, {"de maig", "maig"}, {"de juny", "juny"}, {"de juliol", "de jul.", "juliol", "jul."}, {"d’agost", "d’ag.", "agost", "ag."}, {"de setembre", "de set.", "setembre", "set."}, {"d’octubre", "d’oct.", "octubre", "oct."}, {"de novembre", "de nov.", "novembre", "nov."}, {"de desembre", "de des.", "desembre", "des."}},
		weekdays: [][]string{{"diumenge", "dg."}, {"dilluns", "dl."}, {"dimarts", "dt."}, {"dimecres", "dc."}, {"dijous", "dj."}, {"divendres", "dv."}, {"dissabte", "ds."}},
		am:       []string{"a. m.", "a. m."}, pm: []string{"p. m.", "p. m."}, order: "DMY",
	},
	"fa": { // Persian (fa)
		months:   [12][]string{{"ژانویهٔ", "ژانویه"}, {"فوریهٔ", "فوریه"}, {"مارس"}, {"آوریل"}, {"مهٔ", "مه"}, {"ژوئن"}, {"ژوئیهٔ", "ژوئیه"}, {"اوت"}, {"سپتامبر"}, {"اکتبر"}, {"نوامبر"}, {"دسامبر"}},
		weekdays: [][]string{{"یکشنبه", "۱ش"}, {"دوشنبه", "۲ش"}, {"سه‌شنبه", "۳ش"}, {"چهارشنبه", "۴ش"}, {"پنجشنبه", "۵ش"}, {"جمعه", "ج"}, {"شنبه", "ش"}},
		am:       []string{"ق.ظ.", "قبل‌ازظهر", "ق‌ظ"}, pm: []string{"ب.ظ.", "بعدازظهر", "ب‌ظ"}, order: "YMD",
	},
	"bn": { // Bengali (bn)
		months:   [12][]string{{"জানুয়ারী", "জানু"}, {"ফেব্রুয়ারী", "ফেব"}, {"মার্চ"}, {"এপ্রিল", "এপ্রি"}, {"মে"}, {"জুন"}, {"জুলাই", "জুল"}, {"আগস্ট", "আগ"}, {"সেপ্টেম্বর", "সেপ"}, {"অক্টোবর", "অক্টো"}, {"নভেম্বর", "নভে"}, {"ডিসেম্বর", "ডিসে"}},
		weekdays: [][]string{{"রবিবার", "রবি", "রঃ"}, {"সোমবার", "সোম", "সোঃ"}, {"মঙ্গলবার", "মঙ্গল", "মঃ"}, {"বুধবার", "বুধ", "বুঃ"}, {"বৃহস্পতিবার", "বৃহস্পতি", "বৃঃ"}, {"শুক্রবার", "শুক্র", "শুঃ"}, {"শনিবার", "শনি"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"ur": { // Urdu (ur)
		months:   [12][]string{{"جنوری"}, {"فروری"}, {"مارچ"}, {"اپریل"}, {"مئی"}, {"جون"}, {"جولائی"}, {"اگست"}, {"ستمبر"}, {"اکتوبر"}, {"نومبر"}, {"دسمبر"}},
		weekdays: [][]string{{"اتوار"}, {"پیر"}, {"منگل"}, {"بدھ"}, {"جمعرات"}, {"جمعہ"}, {"ہفتہ"}},
		am:       []string{"AM"}, pm: []string{"PM"}, order: "DMY",
	},
	"fil": { // Filipino (fil)
		months:   [12][]string{{"Enero", "Ene"}, {"Pebrero", "Peb"}, {"Marso", "Mar"}, {"Abril", "Abr"}, {"Mayo", "May"}, {"Hunyo", "Hun"}, {"Hulyo", "Hul"}, {"Agosto", "Ago"}, {"Setyembre", "Set"}, {"Oktubre", "Okt"}, {"Nobyembre", "Nob"}, {"Disyembre", "Dis"}},
		weekdays: [][]string{{"Linggo", "Lin"}, {"Lunes", "Lun"}, {"Martes", "Mar"}, {"Miyerkules", "Miy"}, {"Huwebes", "Huw"}, {"Biyernes", "Biy"}, {"Sabado", "Sab"}},
		am:       []string{"AM", "am"}, pm: []string{"PM", "pm"}, order: "MDY",
	},
}
