"""Hand-written word lists the synthetic archive is made of (no text from real data)."""

NOUNS = """government police army rebels protesters talks election vote court
parliament ministry officials troops workers company bank market prices deal plan law
bill report investigation strike attack bombing ceasefire agreement crisis storm floods
earthquake fire reforms sanctions border coalition opposition leader party campaign
budget economy exports trade summit minister president militants hospital school
university airport station bridge village capital region province coast refugees
migrants prisoners journalists students farmers doctors miners soldiers civilians
passengers factory mine pipeline railway oil gas water power energy debt currency
inflation taxes shares profits losses union charges trial verdict sentence appeal
inquiry scandal protest rally demonstration riot explosion landslide outbreak virus
vaccine drought harvest satellite rocket mission treaty referendum constitution
cabinet council envoy delegation agency regulator network telescope species""".split()
VERBS = """announces approves arrests bans blames calls cancels captures charges
claims condemns confirms criminalizes debates declares defeats delays denies destroys
dismisses elects evacuates expands files halts hits imposes injures joins kills
launches lifts orders passes plans postpones proposes raids rejects releases reports
resigns seizes signs suspends threatens upholds urges visits warns wins withdraws
agrees opens closes reaches sells buys acquires recalls fines sues accuses""".split()
ADJS = """new former national regional local military civilian economic political
federal interim senior major large small northern southern eastern western central
international foreign public private emergency armed disputed controversial annual
historic temporary independent opposition rival joint nuclear coastal rural urban""".split()
PREPS = "in near after during against over amid across despite following".split()
DETS = ["the"] * 6 + ["a", "several", "two", "three", "dozens of", "hundreds of"]
UNITS = "people soldiers civilians workers militants passengers protesters".split()
SYLL = """ka ri to men sa lo va dor an bel cor dia el fa gan hor is jun kel lar mir
nor os pra quin ros sel tar ul ven wes zan bra cle dro fen gri hal ith kor lum mar
nev obi par qua rud sto tem una vol yar zel ber ca da ga mo na pe su te vi""".split()
PLACE_KINDS = "Province Island District Valley Region City Republic Bay".split()
ORG_KINDS = """Party Council Bank Airlines Front University Agency Union Corporation
Ministry Court Army Federation Institute Group Motors Telecom Energy""".split()
EVENT_KINDS = """protests election crisis war earthquake summit scandal trial floods
referendum strike insurgency conflict unrest hurricane season riots""".split()
OUTLET_KINDS = """Times Post Herald News Tribune Journal Gazette Chronicle Daily Observer
Courier Express Wire Radio Telegraph Monitor Star Guardian Press Today""".split()
TLDS = "com com com com co.uk net org com.au co.in ca".split()
QUOTES = ("&#034;", "&quot;")
