"""German texts of the operator pages, keyed by their English text (DATEV's own terms)."""

from __future__ import annotations

from domain.close_report import CAUSES

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

MESSAGES: dict[str, str] = {**_PAGES, **{CAUSES[k]: v for k, v in _CAUSES_DE.items()}}
