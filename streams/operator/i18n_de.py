"""German texts of the operator pages, keyed by their English text (DATEV's own terms)."""

from __future__ import annotations

import re

from domain.close_report import CAUSES

# Texts with values inside, from the read models (cadence, next run, login state).
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^every (\d+) minutes$", r"alle \1 Minuten"),
        (r"^daily at (\d\d:\d\d)$", r"täglich um \1"),
        (
            r"^logged in, valid until (\S+) \((-?\d+) days\)$",
            r"angemeldet, gültig bis \1 (\2 Tage)",
        ),
    )
)

_PAGES: dict[str, str] = {
    # layout and sign-in
    "Sections": "Bereiche",
    "Language": "Sprache",
    "Overview": "Übersicht",
    "Records": "Belege",
    "Batches": "Buchungsstapel",
    "Parked": "Geparkt",
    "Month-end": "Monatsabschluss",
    "Mapping": "Zuordnung",
    "Review": "Freigabe",
    "Sign in": "Anmelden",
    "Status page password": "Passwort der Statusseite",
    "Wrong password.": "Falsches Passwort.",
    "Too many wrong tokens from your address: try again in {minutes} minute(s).": (
        "Zu viele falsche Passwörter von Ihrer Adresse: bitte in {minutes} Minute(n) erneut "
        "versuchen."
    ),
    "Status page disabled": "Statusseite deaktiviert",
    "Set a status page password (status_token / MLC_STATUS_TOKEN) to use it.": (
        "Setzen Sie ein Passwort für die Statusseite (status_token / MLC_STATUS_TOKEN)."
    ),
    "nothing here": "keine Einträge",
    "Not found": "Nicht gefunden",
    "no such batch file": "diese Stapeldatei gibt es nicht",
    "no mapping files configured": "keine Zuordnungsdateien konfiguriert",
    # overview
    "DATEV login": "DATEV-Anmeldung",
    "Procore configuration problem": "Procore-Konfigurationsproblem",
    "Fix": "Abhilfe",
    "DATEV clients": "DATEV-Mandanten",
    "DATEV client": "DATEV-Mandant",
    "Cadence": "Rhythmus",
    "Last batch": "Letzter Buchungsstapel",
    "Next run": "Nächster Lauf",
    "Lines today": "Buchungszeilen heute",
    "Documents today": "Belegbilder heute",
    "Failed batches": "Fehlgeschlagene Stapel",
    "Awaiting review": "Wartet auf Freigabe",
    "none yet": "noch keiner",
    "immediate": "sofort",
    "manual": "manuell",
    "continuously (as lines are ready)": "laufend (sobald Zeilen bereit sind)",
    "manual: `ml-connector seal <client>`": "manuell: `ml-connector seal <client>`",
    "now (due)": "jetzt (fällig)",
    "logged in (expiry unknown)": "angemeldet (Ablauf unbekannt)",
    "not configured (no vault)": "nicht eingerichtet (kein Tresor)",
    "no login stored — run `ml-connector datev login`": (
        "keine Anmeldung gespeichert — `ml-connector datev login` ausführen"
    ),
    # records
    "Search records (key, status, decision, reason)": (
        "Belege suchen (Schlüssel, Status, Entscheidung, Grund)"
    ),
    "Search": "Suchen",
    "{n} record(s)": "{n} Beleg(e)",
    "Record": "Beleg",
    "Record {key}": "Beleg {key}",
    "Record not found": "Beleg nicht gefunden",
    "Procore status": "Procore-Status",
    "Decision": "Entscheidung",
    "Reason": "Grund",
    "Invoice PDF": "Rechnungs-PDF",
    "Key": "Schlüssel",
    "Audit trail (every stored event)": "Prüfpfad (jedes gespeicherte Ereignis)",
    "When (UTC)": "Zeitpunkt (UTC)",
    "Event": "Ereignis",
    "Details": "Details",
    "Parked records": "Geparkte Belege",
    "Fix the cause (mapping or the record in Procore), then replay: the booking decision is "
    "taken again with the current mapping.": (
        "Beheben Sie die Ursache (Zuordnung oder den Beleg in Procore) und verarbeiten Sie den "
        "Beleg erneut: die Buchungsentscheidung fällt dann mit der aktuellen Zuordnung."
    ),
    "Replay": "Erneut verarbeiten",
    "Replay {key}": "Erneut verarbeiten {key}",
    "Replay failed": "Erneute Verarbeitung fehlgeschlagen",
    "Replay requested; decision now: {decision}.": (
        "Erneute Verarbeitung angestoßen; Entscheidung jetzt: {decision}."
    ),
    # states and decisions
    "planned": "geplant",
    "batched": "im Stapel",
    "parked": "geparkt",
    "ignored": "ignoriert",
    "observed": "erfasst",
    "sealed": "versiegelt",
    "submitted": "übermittelt",
    "completed": "verarbeitet",
    "failed": "fehlgeschlagen",
    "in_review": "wartet auf Freigabe",
    "rejected": "abgelehnt",
    "uploaded": "hochgeladen",
    # batches
    "Batch": "Stapel",
    "Client": "Mandant",
    "Sealed": "Versiegelt",
    "Lines": "Zeilen",
    "State": "Zustand",
    "DATEV jobs": "DATEV-Jobs",
    "Failure": "Fehler",
    "not submitted yet": "noch nicht übermittelt",
    # month-end report
    "Reconciliation": "Abstimmung",
    "Month-end close {period} — DATEV client {client}": (
        "Monatsabschluss {period} — DATEV-Mandant {client}"
    ),
    "Period closed": "Periode abgeschlossen",
    "Period open": "Periode offen",
    "project": "Projekt",
    "closed periods": "abgeschlossene Perioden",
    "none": "keine",
    "amounts net in EUR": "Beträge netto in EUR",
    "reconciled to the cent": "auf den Cent abgestimmt",
    "open difference {amount} EUR in {n} record(s)": (
        "offene Differenz {amount} EUR in {n} Beleg(en)"
    ),
    "Procore approved (net)": "In Procore freigegeben (netto)",
    "DATEV accepted (net)": "Von DATEV übernommen (netto)",
    "Open difference": "Offene Differenz",
    "Records with a difference": "Belege mit Differenz",
    "Pending (unsealed)": "Ausstehend (nicht im Stapel)",
    "Submitted / failed": "Übermittelt / fehlgeschlagen",
    "Documents uploaded": "Belegbilder hochgeladen",
    "{n} ({failed} failed)": "{n} ({failed} fehlgeschlagen)",
    "Booked without Beleglink": "Ohne Beleglink gebucht",
    "Procore approved vs DATEV accepted, per project": (
        "In Procore freigegeben und von DATEV übernommen, je Projekt"
    ),
    "Procore approved vs DATEV accepted per project": (
        "In Procore freigegeben und von DATEV übernommen je Projekt"
    ),
    "Procore approved": "In Procore freigegeben",
    "DATEV accepted": "Von DATEV übernommen",
    "No amounts in this period.": "Keine Beträge in dieser Periode.",
    "Differences": "Differenzen",
    "Cause": "Ursache",
    "Procore net": "Procore netto",
    "Difference": "Differenz",
    "Drill down": "Im Detail",
    "from closed {period}": "aus abgeschlossener Periode {period}",
    "No differences: every approved record is accepted by DATEV to the cent.": (
        "Keine Differenzen: jeder freigegebene Beleg ist von DATEV auf den Cent übernommen."
    ),
    "Changes to closed periods booked in this period": (
        "Änderungen abgeschlossener Perioden, in dieser Periode gebucht"
    ),
    "{amount} booked in {period}": "{amount} gebucht in {period}",
    "Batches and DATEV jobs": "Buchungsstapel und DATEV-Jobs",
    "timeline of batches and DATEV jobs": "Zeitachse der Buchungsstapel und DATEV-Jobs",
    "no job yet": "noch kein Job",
    "{n} lines": "{n} Zeilen",
    "No batch holds lines of this period yet.": (
        "Noch kein Buchungsstapel enthält Zeilen dieser Periode."
    ),
    "Per project and account": "Je Projekt und Konto",
    "Project": "Projekt",
    "Account": "Konto",
    "Tax": "Steuer",
    "Gross": "Brutto",
    "Booked": "Gebucht",
    "Pending": "Ausstehend",
    "Submitted": "Übermittelt",
    "Failed": "Fehlgeschlagen",
    "Accepted": "Übernommen",
    "Diff.": "Diff.",
    "Commitments (information, not booked)": "Aufträge (zur Information, nicht gebucht)",
    "Commitment": "Auftrag",
    "Title": "Titel",
    "Status": "Status",
    "Committed": "Beauftragt",
    "Invoiced to date": "Bisher abgerechnet",
    "Open": "Offen",
    "No approved commitments.": "Keine freigegebenen Aufträge.",
}

_EDITOR: dict[str, str] = {
    "Show": "Anzeigen",
    "file": "Datei",
    "fix": "Lösung",
    "Every change is checked like `ml-connector mapping check`, written to the file (the "
    "previous version is kept as .prev) and in force at once, without a restart. Suggestions "
    "are applied only when you accept them.": (
        "Jede Änderung wird wie bei `ml-connector mapping check` geprüft, in die Datei "
        "geschrieben (die vorige Fassung bleibt als .prev erhalten) und gilt sofort, ohne "
        "Neustart. Vorschläge werden nur übernommen, wenn Sie sie annehmen."
    ),
    "Saved {what}; in force now (previous version kept as {backup}).": (
        "Gespeichert: {what}; gilt ab sofort (vorige Fassung: {backup})."
    ),
    "Replayed {n} record(s): {result}.": "{n} Beleg(e) erneut verarbeitet: {result}.",
    "Not saved: the change does not pass the mapping check.": (
        "Nicht gespeichert: die Änderung besteht die Zuordnungsprüfung nicht."
    ),
    "Saved, but not in force yet: another mapping file does not pass the check.": (
        "Gespeichert, aber noch nicht in Kraft: eine andere Zuordnungsdatei "
        "besteht die Prüfung nicht."
    ),
    "correct the value and save again": "Wert korrigieren und erneut speichern",
    "Cost codes and cost types seen in Procore": "Kostenschlüssel und Kostenarten aus Procore",
    "Cost code": "Kostenschlüssel",
    "Cost type": "Kostenart",
    "Net (EUR)": "Netto (EUR)",
    "Account (Gegenkonto)": "Gegenkonto",
    "Suggestions": "Vorschläge",
    "unmapped": "nicht zugeordnet",
    "Account for {code} / {type}": "Gegenkonto für {code} / {type}",
    "Save account for {code} / {type}": "Gegenkonto für {code} / {type} speichern",
    "Save": "Speichern",
    "Accept": "Übernehmen",
    "Accept {account} {name} for {code} / {type}": (
        "{account} {name} für {code} / {type} übernehmen"
    ),
    "Replay parked records": "Geparkte Belege erneut verarbeiten",
    "Replay the parked records of {code} / {type}": (
        "Geparkte Belege von {code} / {type} erneut verarbeiten"
    ),
    "Procore tax codes": "Steuercodes aus Procore",
    "Tax code": "Steuercode",
    "Rate": "Satz",
    "Tax rule (BU-Schlüssel)": "Steuerregel (BU-Schlüssel)",
    "Tax rule for {code}": "Steuerregel für {code}",
    "Tax rule": "Steuerregel",
    "Tax rule of {code} / {type}": "Steuerregel von {code} / {type}",
    "from the line's tax code": "aus dem Steuercode der Zeile",
    "Projects and cost centres (Kostenstelle)": "Projekte und Kostenstellen",
    "Cost centre of project {project}": "Kostenstelle des Projekts {project}",
    "Vendors (Kreditoren): § 13b and § 48b": "Kreditoren: § 13b und § 48b",
    "Vendor": "Kreditor",
    "§ 13b reverse charge": "§ 13b Steuerschuldnerschaft",
    "§ 48b exemption certificate": "§ 48b Freistellungsbescheinigung",
    "§ 13b: the client owes the VAT": "§ 13b: der Mandant schuldet die Umsatzsteuer",
    "§ 48b": "§ 48b",
    "exemption unknown": "unbekannt",
    "exemption none": "keine Bescheinigung",
    "exemption certificate": "Bescheinigung liegt vor",
    "valid until": "gültig bis",
    "Save vendor {vendor}": "Kreditor {vendor} speichern",
    "vendor {vendor}": "Kreditor {vendor}",
    # suggestion reasons
    "cost code {code} is mapped to {account} for cost type {type}": (
        "Kostenschlüssel {code} ist für Kostenart {type} auf {account} zugeordnet"
    ),
    "cost type {type} is mapped to {account} for cost code {code}": (
        "Kostenart {type} ist für Kostenschlüssel {code} auf {account} zugeordnet"
    ),
    "the tax code names § 13b (the client owes the VAT)": (
        "der Steuercode nennt § 13b (der Mandant schuldet die Umsatzsteuer)"
    ),
    "the tax code's rate is {rate} % input VAT": "der Satz des Steuercodes ist {rate} % Vorsteuer",
    "Accept {rule} for tax code {code}": "{rule} für Steuercode {code} übernehmen",
    "vendor {vendor} books to {account} so far": "Kreditor {vendor} bucht bisher auf {account}",
    "cost type {type} is subcontract work: {name} in {skr}": (
        "Kostenart {type} ist Nachunternehmerleistung: {name} im {skr}"
    ),
    "cost type {type} is bought-in labour: {name} in {skr}": (
        "Kostenart {type} ist zugekaufte Arbeitsleistung: {name} im {skr}"
    ),
    "cost type {type} is professional services: {name} in {skr}": (
        "Kostenart {type} sind Fachleistungen Dritter: {name} im {skr}"
    ),
    "cost type {type} is material: {name} in {skr}": (
        "Kostenart {type} ist Material: {name} im {skr}"
    ),
    "cost type {type} is equipment: {name} in {skr}": (
        "Kostenart {type} sind Geräte: {name} im {skr}"
    ),
    "cost type {type}: {name} in {skr}": "Kostenart {type}: {name} im {skr}",
    "the cost code's name “{name}” points to {account}": (
        "der Name des Kostenschlüssels „{name}“ deutet auf {account}"
    ),
}

_REVIEW: dict[str, str] = {
    "Review of batch {batch}": "Freigabe des Buchungsstapels {batch}",
    "Review batch {batch}": "Buchungsstapel {batch} prüfen",
    "approved": "freigegeben",
    "requisition": "Nachunternehmerrechnung",
    "direct_cost": "Direkte Kosten",
    "commitment": "Auftrag",
    "For clients with review = true (mapping, [schedule]) a sealed Buchungsstapel waits here "
    "until it is approved; only then does it go to DATEV.": (
        "Bei Mandanten mit review = true (Zuordnung, [schedule]) wartet ein versiegelter "
        "Buchungsstapel hier auf die Freigabe; erst dann geht er an DATEV."
    ),
    "Decided": "Entschieden",
    "review before DATEV: sealed batches wait for approval": (
        "Freigabe vor DATEV: versiegelte Buchungsstapel warten auf die Freigabe"
    ),
    "Save cadence and review": "Rhythmus und Freigabe speichern",
    "no invoice PDF for this record (or no Procore connection in this process)": (
        "kein Rechnungs-PDF zu diesem Beleg (oder keine Procore-Verbindung in diesem Prozess)"
    ),
    "review before DATEV": "Freigabe vor DATEV",
    "to DUO accounts payable (DXSO)": "ins DUO-Kreditorenbuch (DXSO)",
    "as files for hand import": "als Dateien für den manuellen Import",
    "By": "Von",
    "Note": "Notiz",
    "Batch {decision}.": "Buchungsstapel {decision}.",
    "net {net} EUR, tax {tax} EUR": "netto {net} EUR, Steuer {tax} EUR",
    "Warnings": "Hinweise",
    "No warnings.": "Keine Hinweise.",
    "Differences to Procore": "Differenzen zu Procore",
    "Booked after this batch": "Gebucht nach diesem Stapel",
    "None: every record books what Procore approved.": (
        "Keine: jeder Beleg bucht, was in Procore freigegeben ist."
    ),
    "Per account (Gegenkonto)": "Je Gegenkonto",
    "Per tax key (BU-Schlüssel)": "Je BU-Schlüssel",
    "Per cost centre (Kostenstelle)": "Je Kostenstelle",
    "Per creditor (Kreditor)": "Je Kreditor",
    "Tax key (BU-Schlüssel)": "BU-Schlüssel",
    "Creditor (Kreditor)": "Kreditor",
    "Tax (EUR)": "Steuer (EUR)",
    "Procore source": "Procore-Beleg",
    "Document date": "Belegdatum",
    "Posting text": "Buchungstext",
    "Your name": "Ihr Name",
    "Note (optional)": "Notiz (optional)",
    "Why rejected (required)": "Grund der Ablehnung (Pflicht)",
    "Approve and send to DATEV": "Freigeben und an DATEV senden",
    "Reject: lines back to pending": "Ablehnen: Zeilen zurück in den Vorrat",
    "{n} line(s) under § 13b: the client owes the VAT (reverse charge)": (
        "{n} Zeile(n) nach § 13b: der Mandant schuldet die Umsatzsteuer"
    ),
    "{n} reversal line(s) (Generalumkehr) for changed records": (
        "{n} Storno-Zeile(n) (Generalumkehr) für geänderte Belege"
    ),
    "{n} new or changed creditor(s) (Kreditor master data): {names}": (
        "{n} neue oder geänderte Kreditoren (Stammdaten): {names}"
    ),
    "{record}: tax rounded by {amount} EUR against Procore": (
        "{record}: Steuer gegenüber Procore um {amount} EUR gerundet"
    ),
    "{record}: {note}": "{record}: {note}",
}

_CAUSES_DE = {
    "parked_unmapped": "geparkt: keine Zuordnung",
    "parked_tax": "geparkt: Steuer passt nicht",
    "parked_bad_data": "geparkt: fehlerhafte Daten",
    "pending_cadence": "ausstehend: wartet auf den nächsten Stapel (Rhythmus)",
    "late_approval": "nach dem letzten Stapel der Periode freigegeben",
    "changed_after_posting": "nach der Buchung geändert (Storno ausstehend)",
    "deleted": "in Procore gelöscht (Storno ausstehend)",
    "failed_job": "DATEV-Job fehlgeschlagen",
    "awaiting_datev": "Stapel übermittelt, von DATEV noch nicht übernommen",
    "unapproved_after_posting": "in Procore nicht mehr freigegeben (Buchung bleibt)",
    "unexplained": "ungeklärt (Prüfpfad ansehen)",
}

MESSAGES: dict[str, str] = {
    **_PAGES,
    **_EDITOR,
    **_REVIEW,
    **{CAUSES[k]: v for k, v in _CAUSES_DE.items()},
}
