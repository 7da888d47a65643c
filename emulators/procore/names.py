"""German vocabulary for the generated general contractor: firms, streets, cities, cost codes."""

from __future__ import annotations

COMPANIES = ("Mayer & Lang Bau GmbH", "Nordbau Hanse GmbH & Co. KG")

CITIES = (
    ("München", "80331"),
    ("Augsburg", "86150"),
    ("Köln", "50667"),
    ("Düsseldorf", "40213"),
    ("Nürnberg", "90402"),
    ("Würzburg", "97070"),
    ("Lübeck", "23552"),
    ("Göttingen", "37073"),
    ("Saarbrücken", "66111"),
    ("Mönchengladbach", "41061"),
    ("Hamburg", "20095"),
    ("Frankfurt am Main", "60311"),
    ("Stuttgart", "70173"),
    ("Dresden", "01067"),
    ("Leipzig", "04109"),
    ("Berlin", "10115"),
)

STREETS = (
    "Hauptstraße",
    "Bahnhofstraße",
    "Gießereiweg",
    "Am Mühlbach",
    "Schloßallee",
    "Industriestraße",
    "Lindenstraße",
    "Königsbrücker Straße",
    "Große Bleichen",
    "Fußgängerzone",
    "Gewerbepark Süd",
    "Brückenstraße",
)

SURNAMES = (
    "Müller",
    "Schäfer",
    "Weiß",
    "Groß",
    "Köhler",
    "Bäcker",
    "Schröder",
    "Günther",
    "Krüger",
    "Möller",
    "Fuß",
    "Hoffmann",
    "Neumann",
    "Wagner",
    "Becker",
    "Schmitt",
    "Strauß",
    "Jäger",
)

TRADES = (
    ("Bau", "Subcontractor"),
    ("Gerüstbau", "Subcontractor"),
    ("Stahlhandel", "Materials"),
    ("Elektro", "Subcontractor"),
    ("Fliesen", "Subcontractor"),
    ("Baustoffe", "Materials"),
    ("Kranverleih", "Equipment"),
    ("Tiefbau", "Subcontractor"),
    ("Ingenieurbüro", "Professional Services"),
    ("Dachdeckerei", "Subcontractor"),
    ("Trockenbau", "Subcontractor"),
    ("Betonwerk", "Materials"),
)

LEGAL_FORMS = ("GmbH", "KG", "AG", "GmbH & Co. KG", "e.K.", "OHG")
REGIONS = ("", "Nord", "Süd", "Ost", "West", "Rhein-Main", "Oberbayern")

PROJECTS = (
    "Neubau Bürogebäude Maximilianstraße",
    "Wohnanlage Am Grüngürtel",
    "Sanierung Schulzentrum Süd",
    "Logistikhalle Gewerbepark Ost",
    "Brückenerneuerung Mühlbach",
    "Parkhaus Hauptbahnhof",
    "Kita Sonnenschein",
    "Ärztehaus Marktplatz",
)

# (full code, name) — division-code style used by German GCs on Procore.
COST_CODES = (
    ("01-100", "Baustelleneinrichtung"),
    ("02-100", "Erdarbeiten"),
    ("02-200", "Verbau und Wasserhaltung"),
    ("03-100", "Schalung"),
    ("03-300", "Stahlbeton"),
    ("03-400", "Bewehrung"),
    ("03-500", "Gerüst"),
    ("04-100", "Mauerwerk"),
    ("05-100", "Stahlbau"),
    ("07-100", "Abdichtung"),
    ("08-100", "Fenster und Türen"),
    ("09-100", "Trockenbau"),
    ("09-300", "Fliesenarbeiten"),
    ("15-100", "Heizung und Sanitär"),
    ("16-100", "Elektroinstallation"),
)

# (name, code, base_type)
LINE_ITEM_TYPES = (
    ("Subcontractor", "S", "commitment"),
    ("Materials", "M", "materials"),
    ("Equipment", "E", "equipment"),
    ("Labor", "L", "other"),
    ("Professional Services", "P", "professional_services"),
    ("Owner Cost", "O", "owner_cost"),
    ("Other", "X", "other"),
)

# (code, description, rate)
TAX_CODES = (
    ("VSt19", "Vorsteuer 19 %", 19.0),
    ("VSt7", "Vorsteuer 7 %", 7.0),
    ("13b", "Steuerschuldnerschaft des Leistungsempfängers (§13b UStG)", 0.0),
    ("VSt0", "steuerfrei", 0.0),
)

WORK_ITEMS = (
    "Baugrube ausheben",
    "Stahlbetonarbeiten Decke über EG",
    "Gerüst Achse A-D",
    "BSt 500 S liefern",
    "Mauerwerk KS 24 cm",
    "Elektroinstallation 1. OG",
    "Fliesen Sanitärräume",
    "Kran 40 t inkl. Fahrer",
    "Statik und Prüfingenieur",
    "Abdichtung Bodenplatte",
    "Trockenbauwände F90",
    "Transportbeton C25/30",
)

UOMS = ("m³", "m²", "t", "Std", "Stk", "psch", "lfm")
