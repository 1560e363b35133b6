package accounts

// The calendars a map may name come from github.com/rickar/cal/v2, the library of public
// holidays curfew uses (docs/operations.md#holidays says which and why). A code is ISO
// 3166-1 for a country (its library's national list) and ISO 3166-2 for a region (its
// regional list, which includes the national days); a country or region the library has
// no list for is no calendar here.

import (
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/ar"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/au"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/bg"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cy"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/ee"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fi"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/gr"
	"github.com/rickar/cal/v2/hr"
	"github.com/rickar/cal/v2/hu"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/is"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/ke"
	"github.com/rickar/cal/v2/lt"
	"github.com/rickar/cal/v2/lu"
	"github.com/rickar/cal/v2/lv"
	"github.com/rickar/cal/v2/mt"
	"github.com/rickar/cal/v2/mw"
	"github.com/rickar/cal/v2/mx"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/pt"
	"github.com/rickar/cal/v2/ro"
	"github.com/rickar/cal/v2/rs"
	"github.com/rickar/cal/v2/ru"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/si"
	"github.com/rickar/cal/v2/sk"
	"github.com/rickar/cal/v2/ua"
	"github.com/rickar/cal/v2/us"
	"github.com/rickar/cal/v2/za"
)

// calendars are the holiday calendars a map may name, by code.
var calendars = map[string]calendar{
	"AR":     {"Argentina", ar.Holidays},
	"AT":     {"Austria", at.Holidays},
	"BE":     {"Belgium", be.Holidays},
	"BG":     {"Bulgaria", bg.Holidays},
	"BR":     {"Brazil", br.Holidays},
	"CA":     {"Canada", ca.Holidays},
	"CH":     {"Switzerland", ch.Holidays},
	"CY":     {"Cyprus", cy.Holidays},
	"CZ":     {"Czech Republic", cz.Holidays},
	"DE":     {"Germany", de.Holidays},
	"DK":     {"Denmark", dk.Holidays},
	"EE":     {"Estonia", ee.Holidays},
	"ES":     {"Spain", es.Holidays},
	"FI":     {"Finland", fi.Holidays},
	"FR":     {"France", fr.Holidays},
	"GB":     {"United Kingdom", gb.Holidays},
	"GR":     {"Greece", gr.Holidays},
	"HR":     {"Croatia", hr.Holidays},
	"HU":     {"Hungary", hu.Holidays},
	"IE":     {"Ireland", ie.Holidays},
	"IS":     {"Iceland", is.Holidays},
	"IT":     {"Italy", it.Holidays},
	"JP":     {"Japan", jp.Holidays},
	"KE":     {"Kenya", ke.Holidays},
	"LT":     {"Lithuania", lt.Holidays},
	"LU":     {"Luxembourg", lu.Holidays},
	"LV":     {"Latvia", lv.Holidays},
	"MT":     {"Malta", mt.Holidays},
	"MW":     {"Malawi", mw.Holidays},
	"MX":     {"Mexico", mx.Holidays},
	"NL":     {"Netherlands", nl.Holidays},
	"NO":     {"Norway", no.Holidays},
	"NZ":     {"New Zealand", nz.Holidays},
	"PL":     {"Poland", pl.Holidays},
	"PT":     {"Portugal", pt.Holidays},
	"RO":     {"Romania", ro.Holidays},
	"RS":     {"Serbia", rs.Holidays},
	"RU":     {"Russia", ru.Holidays},
	"SE":     {"Sweden", se.Holidays},
	"SI":     {"Slovenia", si.Holidays},
	"SK":     {"Slovakia", sk.Holidays},
	"UA":     {"Ukraine", ua.Holidays},
	"US":     {"United States", us.Holidays},
	"ZA":     {"South Africa", za.Holidays},
	"AU-ACT": {"Australian Capital Territory, Australia", au.HolidaysACT},
	"AU-NSW": {"New South Wales, Australia", au.HolidaysNSW},
	"AU-NT":  {"Northern Territory, Australia", au.HolidaysNT},
	"AU-QLD": {"Queensland, Australia", au.HolidaysQLD},
	"AU-SA":  {"South Australia, Australia", au.HolidaysSA},
	"AU-TAS": {"Tasmania, Australia", au.HolidaysTAS},
	"AU-VIC": {"Victoria, Australia", au.HolidaysVIC},
	"AU-WA":  {"Western Australia, Australia", au.HolidaysWA},
	"DE-BW":  {"Baden-Württemberg, Germany", de.HolidaysBW},
	"DE-BY":  {"Bavaria, Germany", de.HolidaysBY},
	"DE-BE":  {"Berlin, Germany", de.HolidaysBE},
	"DE-BB":  {"Brandenburg, Germany", de.HolidaysBB},
	"DE-HB":  {"Bremen, Germany", de.HolidaysHB},
	"DE-HH":  {"Hamburg, Germany", de.HolidaysHH},
	"DE-HE":  {"Hesse, Germany", de.HolidaysHE},
	"DE-MV":  {"Mecklenburg-Vorpommern, Germany", de.HolidaysMV},
	"DE-NI":  {"Lower Saxony, Germany", de.HolidaysNI},
	"DE-NW":  {"North Rhine-Westphalia, Germany", de.HolidaysNW},
	"DE-RP":  {"Rhineland-Palatinate, Germany", de.HolidaysRP},
	"DE-SL":  {"Saarland, Germany", de.HolidaysSL},
	"DE-SN":  {"Saxony, Germany", de.HolidaysSN},
	"DE-ST":  {"Saxony-Anhalt, Germany", de.HolidaysST},
	"DE-SH":  {"Schleswig-Holstein, Germany", de.HolidaysSH},
	"DE-TH":  {"Thuringia, Germany", de.HolidaysTH},
	"CH-ZH":  {"Zurich, Switzerland", ch.HolidaysZH},
	"CH-BE":  {"Bern, Switzerland", ch.HolidaysBE},
	"CH-LU":  {"Lucerne, Switzerland", ch.HolidaysLU},
	"CH-UR":  {"Uri, Switzerland", ch.HolidaysUR},
	"CH-SZ":  {"Schwyz, Switzerland", ch.HolidaysSZ},
	"CH-OW":  {"Obwalden, Switzerland", ch.HolidaysOW},
	"CH-NW":  {"Nidwalden, Switzerland", ch.HolidaysNW},
	"CH-GL":  {"Glarus, Switzerland", ch.HolidaysGL},
	"CH-ZG":  {"Zug, Switzerland", ch.HolidaysZG},
	"CH-FR":  {"Fribourg, Switzerland", ch.HolidaysFR},
	"CH-SO":  {"Solothurn, Switzerland", ch.HolidaysSO},
	"CH-BS":  {"Basel-Stadt, Switzerland", ch.HolidaysBS},
	"CH-BL":  {"Basel-Landschaft, Switzerland", ch.HolidaysBL},
	"CH-SH":  {"Schaffhausen, Switzerland", ch.HolidaysSH},
	"CH-AR":  {"Appenzell Ausserrhoden, Switzerland", ch.HolidaysAR},
	"CH-AI":  {"Appenzell Innerrhoden, Switzerland", ch.HolidaysAI},
	"CH-SG":  {"St. Gallen, Switzerland", ch.HolidaysSG},
	"CH-GR":  {"Graubünden, Switzerland", ch.HolidaysGR},
	"CH-AG":  {"Aargau, Switzerland", ch.HolidaysAG},
	"CH-TG":  {"Thurgau, Switzerland", ch.HolidaysTG},
	"CH-VD":  {"Vaud, Switzerland", ch.HolidaysVD},
	"CH-TI":  {"Ticino, Switzerland", ch.HolidaysTI},
	"CH-VS":  {"Valais, Switzerland", ch.HolidaysVS},
	"CH-NE":  {"Neuchâtel, Switzerland", ch.HolidaysNE},
	"CH-GE":  {"Geneva, Switzerland", ch.HolidaysGE},
	"CH-JU":  {"Jura, Switzerland", ch.HolidaysJU},
}

// calendar is one list of public holidays of the library.
type calendar struct {
	name     string
	holidays []*cal.Holiday
}
