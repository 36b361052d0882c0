"""Open Referral HSDS 3.0: organizations, services, locations, phones, schedules, taxonomies.

HSDS speaks one language per dataset, so each edition exports its own.  Ids are
UUIDs derived from the record ids (`common.stable_id`, made through `common.StableIds`), the same in every build.
What HSDS has no field for (holiday rules, closed dates, sources, hubs,
unofficial translations, an address without postal code) is carried as
`attributes` linked to terms of the guide's own extension taxonomy; README.md
has the full mapping table.  HSDS requires facts the documents may not give: such
a record is exported without the incomplete object and listed in `incomplete`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from ..model import WEEKDAYS, Agency, Branch, Guide, Hours, Phone, Program, Recurrence, Text, time_range_minutes
from ..queries import places
from .common import Language, StableIds, rrule_byday, utc_offset

HSDS_VERSION = "3.0"
RRULE_DAYS = {day: day[:2].upper() for day in WEEKDAYS}
# The guide's extension vocabulary: attribute terms for what HSDS has no field for.
EXTENSION_TERMS = {
    "source": "Where the facts come from: document id, title and section.",
    "last_verified": "Date the facts were last confirmed (YYYY-MM-DD).",
    "hub": "Hub: the place to ask first in this category when unsure (value: category id).",
    "unofficial_translation": "Fields whose text in this language is not the city's own (comma-separated).",
    "untranslated": "Fields shown in the default language because this language has no text (comma-separated).",
    "address": "The full address, when HSDS cannot hold it as an address (no postal code in the documents).",
    "closed_on_public_holidays": "true when the schedule does not apply on public holidays.",
    "closed_year_end": "The municipal year-end closure the schedule does not apply in (MM-DD/MM-DD).",
    "closed_dates": "Dated exceptions and closed periods (JSON).",
    "hours_not_published": "The documents give no hours: ask by phone.",
    "schedule_text": "A schedule HSDS rules cannot express (e.g. N times a year), in words.",
    "kana": "Reading of the name in kana.",
    "parent_organization_name": "Name of the parent body when it is not in this dataset.",
    "organiser_name": "Organiser when it is not an organization in this dataset.",
    "venue": "Where a program takes place, in words.",
    "capacity": "How many people can join.",
    "deadline": "Application deadline (YYYY-MM-DD).",
    "area": "Area served (area id and name).",
}


# HSDS's tables this export fills, and the nested lists of its JSON that are rows of each.
TABLES = ("organization", "service", "location", "service_at_location", "address", "phone", "schedule",
          "contact", "language", "accessibility", "attribute", "taxonomy", "taxonomy_term")
NESTED = {"locations": "location", "service_at_locations": "service_at_location", "addresses": "address", "phones": "phone",
          "schedules": "schedule", "contacts": "contact", "languages": "language", "accessibility": "accessibility", "attributes": "attribute"}


@dataclass
class HsdsExport:
    organizations: list[dict] = field(default_factory=list)
    services: list[dict] = field(default_factory=list)
    taxonomies: list[dict] = field(default_factory=list)
    taxonomy_terms: list[dict] = field(default_factory=list)

    def files(self) -> dict[str, list[dict]]:
        return {
            "organizations.json": self.organizations,
            "services.json": self.services,
            "taxonomies.json": self.taxonomies,
            "taxonomy_terms.json": self.taxonomy_terms,
        }

    def tables(self) -> dict[str, list[dict]]:
        """The same records as HSDS's tables: each nested list becomes rows of its own table, linked by
        the ids its records already carry (a service_at_location's copy of its location is left out:
        the location is a row already)."""
        rows: dict[str, dict[str, dict]] = {table: {} for table in TABLES}

        def add(table: str, record: dict) -> None:
            for key, value in record.items():
                for item in value if isinstance(value, list) else []:
                    add(NESTED[key], item)
            rows[table][record["id"]] = {k: v for k, v in record.items() if not isinstance(v, list | dict)}

        for table, records in (("organization", self.organizations), ("service", self.services),
                               ("taxonomy", self.taxonomies), ("taxonomy_term", self.taxonomy_terms)):
            for record in records:
                add(table, record)
        return {table: list(found.values()) for table, found in rows.items()}


def build_hsds(guide: Guide, language: Language, today: date) -> HsdsExport:
    return HsdsBuilder(guide, language, today).export()


class HsdsBuilder:
    def __init__(self, guide: Guide, language: Language, today: date):
        self.guide, self.today = guide, today
        self.language = language
        self.lang = language.lang
        self.out = HsdsExport()
        self.areas = {a.id: a for a in guide.areas.areas}
        self.agencies = {a.id: a for a in guide.agencies}  # by id: a program's contact is looked up, not searched for
        self.named_organizations: set[str] = set()  # the ids named_organization has added
        self.ids = StableIds(guide)
        self.tz_suffix = utc_offset(guide.site.city.timezone, today)
        hours = (-1 if self.tz_suffix[0] == "-" else 1) * (int(self.tz_suffix[1:3]) + int(self.tz_suffix[4:]) / 60)
        self.tz_hours = int(hours) if hours.is_integer() else hours  # HSDS: the offset in hours, 9 or 5.5

    # --- small helpers

    def id(self, kind: str, *ids: str) -> str:
        return self.ids(f"hsds-{kind}", *ids)

    def text(self, value: Text | None) -> str:
        if value is None:
            return ""
        return self.language.text(value)

    def translation_flags(self, fields: dict[str, Text | None]) -> dict[str, list[str]]:
        flags: dict[str, list[str]] = {"unofficial_translation": [], "untranslated": []}
        for name, value in fields.items():
            if value is None:
                continue
            if value.get(self.lang) is None:
                flags["untranslated"].append(name)
            elif value.is_unofficial(self.lang):
                flags["unofficial_translation"].append(name)
        return flags

    def attribute(self, entity: str, link_id: str, term: str, value: str, link_type: str = "extension") -> dict:
        return {
            "id": self.id("attribute", link_id, term, value),
            "link_id": link_id,
            "link_type": link_type,
            "link_entity": entity,
            "taxonomy_term_id": self.id("term", "extension", term),
            "value": value,
        }

    def term_attribute(self, entity: str, link_id: str, taxonomy: str, term_id: str) -> dict:
        return {
            "id": self.id("attribute", link_id, taxonomy, term_id),
            "link_id": link_id,
            "link_type": taxonomy,
            "link_entity": entity,
            "taxonomy_term_id": self.id("term", taxonomy, term_id),
        }

    def record_attributes(self, entity: str, link_id: str, record, texts: dict[str, Text | None]) -> list[dict]:
        sources = {s.id: s for s in self.guide.sources.sources}
        attributes = [
            self.attribute(entity, link_id, "source", f"{ref.document}: {self.text(sources[ref.document].title)} — {ref.section}")
            for ref in record.source
        ]
        attributes.append(self.attribute(entity, link_id, "last_verified", record.last_verified.isoformat()))
        for term, names in self.translation_flags(texts).items():
            if names:
                attributes.append(self.attribute(entity, link_id, term, ",".join(names)))
        return attributes

    def phones(self, phones: list[Phone], owner: dict, key: str) -> list[dict]:
        result = []
        for n, phone in enumerate(phones):
            entry = {"id": self.id("phone", key, str(n)), **owner, "number": phone.number, "type": phone.kind}
            if phone.label:
                entry["description"] = self.text(phone.label)
            result.append(entry)
        return result

    def clock(self, minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}{self.tz_suffix}"

    def schedule(self, owner: dict, key: str, **fields) -> dict:
        schedule = {"id": self.id("schedule", key), **owner, "timezone": self.tz_hours, **fields}
        schedule.setdefault("attributes", [])
        return schedule

    # --- schedules

    def hours_schedules(self, hours: Hours | None, owner: dict, key: str) -> list[dict]:
        if hours is None:
            return []
        if hours.status != "published":
            schedule = self.schedule(owner, f"{key}/not-published")
            schedule["attributes"].append(self.attribute("schedule", schedule["id"], "hours_not_published", "true"))
            if hours.note:
                schedule["notes"] = self.text(hours.note)
            return [schedule]
        result = []
        for i, rule in enumerate(hours.weekly):
            for j, times in enumerate(rule.times):
                start, end = time_range_minutes(times)
                schedule = self.schedule(
                    owner,
                    f"{key}/weekly-{i}-{j}",
                    freq="WEEKLY",
                    wkst="MO",
                    byday=",".join(RRULE_DAYS[d] for d in rule.days),
                    opens_at=self.clock(start),
                    closes_at=self.clock(end),
                )
                if hours.note:
                    schedule["notes"] = self.text(hours.note)
                schedule["attributes"] += self.closure_attributes(hours, schedule["id"])
                result.append(schedule)
        return result

    def closure_attributes(self, hours: Hours, schedule_id: str) -> list[dict]:
        # Left out when the documents do not say: "false" would claim the schedule holds on public holidays.
        attributes = []
        if hours.closed_on_public_holidays is not None:
            attributes.append(self.attribute("schedule", schedule_id, "closed_on_public_holidays", str(hours.closed_on_public_holidays).lower()))
        closure = self.guide.site.city.year_end_closure
        if hours.closed_year_end and closure:
            attributes.append(self.attribute("schedule", schedule_id, "closed_year_end", f"{closure.start.root}/{closure.end.root}"))
        if hours.exceptions or hours.closed_periods:
            dates = {
                "exceptions": [{"date": e.date.isoformat(), "closed": e.closed, "times": e.times} for e in hours.exceptions],
                "closed_periods": [{"start": p.start.isoformat(), "end": p.end.isoformat()} for p in hours.closed_periods],
            }
            attributes.append(self.attribute("schedule", schedule_id, "closed_dates", json.dumps(dates, ensure_ascii=False)))
        return attributes

    def program_schedules(self, program: Program, owner: dict, key: str) -> list[dict]:
        result = []
        for i, rule in enumerate(program.schedule.recurrence):
            result += self.recurrence_schedules(rule, owner, f"{key}/rule-{i}")
        for session in program.schedule.sessions:
            fields = {"valid_from": session.date.isoformat(), "valid_to": session.date.isoformat(), "dtstart": session.date.isoformat()}
            if session.times:
                start, end = time_range_minutes(session.times)
                fields.update(opens_at=self.clock(start), closes_at=self.clock(end))
            notes = " / ".join(self.text(t) for t in (session.venue, session.note) if t)
            if notes:
                fields["notes"] = notes
            result.append(self.schedule(owner, f"{key}/session-{session.date.isoformat()}", **fields))
        return result

    def recurrence_schedules(self, rule: Recurrence, owner: dict, key: str) -> list[dict]:
        if rule.frequency == "yearly" or not rule.days:
            # HSDS rules have no "N times a year" and no rule without days: carried in words.
            schedule = self.schedule(owner, key)
            words = {"frequency": rule.frequency, "times_per_year": rule.times_per_year, "times": rule.times}
            schedule["attributes"].append(self.attribute("schedule", schedule["id"], "schedule_text", json.dumps(words, ensure_ascii=False)))
            if rule.note:
                schedule["notes"] = self.text(rule.note)
            return [schedule]
        byday = ",".join(rrule_byday(rule))
        result = []
        for j, times in enumerate(rule.times or [None]):
            fields = {"freq": rule.frequency.upper(), "wkst": "MO", "byday": byday}
            if times:
                start, end = time_range_minutes(times)
                fields.update(opens_at=self.clock(start), closes_at=self.clock(end))
            if rule.note:
                fields["notes"] = self.text(rule.note)
            schedule = self.schedule(owner, f"{key}-{j}", **fields)
            if rule.closed_on_public_holidays is not None:
                schedule["attributes"].append(
                    self.attribute("schedule", schedule["id"], "closed_on_public_holidays", str(rule.closed_on_public_holidays).lower())
                )
            closure = self.guide.site.city.year_end_closure
            if rule.closed_year_end and closure:
                schedule["attributes"].append(self.attribute("schedule", schedule["id"], "closed_year_end", f"{closure.start.root}/{closure.end.root}"))
            result.append(schedule)
        return result

    # --- records

    def location(self, agency: Agency, branch: Branch | None) -> dict:
        place = branch or agency
        key = f"{agency.id}/{branch.id}" if branch else agency.id
        location_id = self.id("location", key)
        name = self.text(branch.name) if branch and branch.name else self.text(agency.name)
        if branch and not branch.name:
            name = f"{name} ({self.text(self.areas[branch.area].name)})"
        location = {"id": location_id, "location_type": "physical", "organization_id": self.id("organization", agency.id), "name": name}
        location["external_identifier"] = key
        location["external_identifier_type"] = "resource-guide record id"
        if place.access or agency.access:
            location["transportation"] = self.text(place.access or agency.access)
        if place.url:
            location["url"] = place.url
        if place.accessibility or agency.accessibility:
            location["accessibility"] = [
                {"id": self.id("accessibility", key), "location_id": location_id, "description": self.text(place.accessibility or agency.accessibility)}
            ]
        location["attributes"] = []
        address = place.address if branch else agency.address
        if address:
            city = self.text(self.guide.site.city.name) + (self.text(self.areas[address.ward].name) if address.ward in self.areas else "")
            if address.postal_code:
                entry = {
                    "id": self.id("address", key),
                    "location_id": location_id,
                    "address_1": self.text(address.street),
                    "city": city,
                    "state_province": self.text(self.guide.site.city.prefecture),
                    "postal_code": address.postal_code,
                    "country": self.guide.site.city.country,
                    "address_type": "physical",
                }
                if address.building:
                    entry["address_2"] = self.text(address.building)
                location["addresses"] = [entry]
            else:
                # HSDS requires a postal code: never invented; the address goes in words.
                words = " ".join(p for p in (self.text(self.guide.site.city.prefecture) + city + self.text(address.street), self.text(address.building)) if p)
                location["attributes"].append(self.attribute("location", location_id, "address", words))
        location["phones"] = self.phones(branch.phones if branch else [], {"location_id": location_id}, f"location/{key}")
        location["schedules"] = self.hours_schedules(place.hours or agency.hours, {"location_id": location_id}, f"location/{key}")
        if branch:
            location["attributes"].append(
                self.attribute("location", location_id, "area", f"{branch.area}: {self.text(self.areas[branch.area].name)}")
            )
        return location

    def locations(self, agency: Agency) -> list[dict]:
        return [self.location(agency, branch) for branch in places(agency)]

    def organization(self, agency: Agency, locations: list[dict]) -> dict:
        org_id = self.id("organization", agency.id)
        description = self.text(agency.summary) or "、".join(self.text(s.description) for s in agency.services)
        organization = {"id": org_id, "name": self.text(agency.name), "description": description}
        if agency.email:
            organization["email"] = agency.email
        if agency.url:
            organization["website"] = agency.url
        organization["phones"] = self.phones(agency.phones, {"organization_id": org_id}, f"organization/{agency.id}")
        organization["locations"] = locations
        attributes = self.record_attributes("organization", org_id, agency, {"name": agency.name, "description": agency.summary})
        if agency.kana:  # optional: a reading only where the data gives one
            attributes.append(self.attribute("organization", org_id, "kana", agency.kana))
        if agency.parent:
            attributes.append(self.attribute("organization", org_id, "parent_organization_name", self.text(agency.parent)))
        for area_id in agency.areas_served:
            attributes.append(self.attribute("organization", org_id, "area", f"{area_id}: {self.text(self.areas[area_id].name)}"))
        organization["attributes"] = attributes
        return organization

    def agency_services(self, agency: Agency, locations: list[dict]) -> list[dict]:
        services = []
        for service in agency.services:
            service_id = self.id("service", agency.id, service.id)
            name = self.text(service.description)
            entry = {
                "id": service_id,
                "organization_id": self.id("organization", agency.id),
                "name": name,
                "description": name,
                "status": "active",
                "assured_date": agency.last_verified.isoformat(),
            }
            if agency.url:
                entry["url"] = agency.url
            if agency.email:
                entry["email"] = agency.email
            entry["phones"] = self.phones(service.phones, {"service_id": service_id}, f"service/{agency.id}/{service.id}")
            entry["schedules"] = self.hours_schedules(service.hours, {"service_id": service_id}, f"service/{agency.id}/{service.id}")
            entry["languages"] = [
                {"id": self.id("language", agency.id, service.id, code), "service_id": service_id, "code": code} for code in agency.languages
            ]
            entry["service_at_locations"] = [
                {"id": self.id("service_at_location", agency.id, service.id, loc["id"]), "service_id": service_id, "location_id": loc["id"], "location": loc}
                for loc in locations
            ]
            attributes = [self.term_attribute("service", service_id, "category", c) for c in service.categories]
            attributes += [self.term_attribute("service", service_id, "audience", a) for a in service.audiences]
            if service.hub:
                attributes += [self.attribute("service", service_id, "hub", c) for c in service.categories]
            attributes += self.record_attributes("service", service_id, agency, {"name": service.description})
            entry["attributes"] = attributes
            services.append(entry)
        return services

    def program_service(self, program: Program) -> dict:
        service_id = self.id("service", "program", program.id)
        # HSDS has no "not yet": a program still to start is active, as its page lists it.
        status = "inactive" if program.phase(self.today) == "ended" else "active"
        entry = {"id": service_id, "name": self.text(program.name), "status": status}
        if program.organiser:
            entry["organization_id"] = self.id("organization", program.organiser)
        elif program.organiser_name:
            entry["organization_id"] = self.named_organization(program.organiser_name)
        if program.description:
            entry["description"] = self.text(program.description)
        if program.url:
            entry["url"] = program.url
        for field_name, value in (
            ("application_process", program.how_to_apply),
            ("fees_description", program.cost),
            ("eligibility_description", program.audience),
        ):
            if value:
                entry[field_name] = self.text(value)
        entry["assured_date"] = program.last_verified.isoformat()
        entry["schedules"] = self.program_schedules(program, {"service_id": service_id}, f"program/{program.id}")
        contact_id = program.contact or program.organiser
        contact = self.agencies.get(contact_id)
        if contact:
            cid = self.id("contact", "program", program.id)
            entry["contacts"] = [
                {"id": cid, "service_id": service_id, "name": self.text(contact.name), "phones": self.phones(contact.phones, {"contact_id": cid}, f"contact/{program.id}")}
            ]
        attributes = [self.term_attribute("service", service_id, "program-kind", program.kind)]
        attributes += [self.term_attribute("service", service_id, "category", c) for c in program.categories]
        attributes += [self.term_attribute("service", service_id, "audience", a) for a in program.audiences]
        attributes += [self.attribute("service", service_id, "area", f"{a}: {self.text(self.areas[a].name)}") for a in program.areas]
        for term, value in (("venue", program.venue), ("organiser_name", program.organiser_name)):
            if value:
                attributes.append(self.attribute("service", service_id, term, self.text(value)))
        if program.capacity:
            attributes.append(self.attribute("service", service_id, "capacity", str(program.capacity)))
        if program.deadline:
            attributes.append(self.attribute("service", service_id, "deadline", program.deadline.isoformat()))
        texts = {"name": program.name, "description": program.description, "application_process": program.how_to_apply,
                 "fees_description": program.cost, "eligibility_description": program.audience, "venue": program.venue}
        attributes += self.record_attributes("service", service_id, program, texts)
        entry["attributes"] = attributes
        return entry

    def named_organization(self, name: Text) -> str:
        """An organiser the guide knows only by name, as an organization of its own (HSDS's tables
        require every service to have one): its name, and a description that says no more is known."""
        org_id = self.id("organization", "named", name.get(name.languages[0]))
        if org_id not in self.named_organizations:
            self.named_organizations.add(org_id)
            description = self.language.gettext("Organiser of programs in this guide, which gives no other details about it.")
            self.out.organizations.append({"id": org_id, "name": self.text(name), "description": description})
        return org_id

    def taxonomy(self, key: str, name: str, description: str, terms: list[tuple[str, str, str]]) -> None:
        taxonomy_id = self.id("taxonomy", key)
        self.out.taxonomies.append({"id": taxonomy_id, "name": name, "description": description, "version": HSDS_VERSION})
        for code, term_name, term_description in terms:
            self.out.taxonomy_terms.append(
                {
                    "id": self.id("term", key, code),
                    "code": code,
                    "name": term_name,
                    "description": term_description,
                    "taxonomy": key,
                    "taxonomy_id": taxonomy_id,
                    "language": self.lang,
                }
            )

    def export(self) -> HsdsExport:
        taxonomy = self.guide.taxonomy
        self.taxonomy("category", "categories", "Concerns residents consult about.",
                      [(c.id, self.text(c.name), self.text(c.description) or self.text(c.name)) for c in taxonomy.categories])
        self.taxonomy("audience", "audiences", "Who a service or program is for.", [(a.id, self.text(a.name), self.text(a.name)) for a in taxonomy.audiences])
        self.taxonomy("program-kind", "program kinds", "Kinds of programs residents join.",
                      [(k.id, self.text(k.name), self.text(k.name)) for k in taxonomy.program_kinds])
        self.taxonomy("extension", "resource-guide extensions", "Facts HSDS 3.0 has no field for, carried as attributes.",
                      [(code, code, description) for code, description in EXTENSION_TERMS.items()])
        for agency in self.guide.agencies:
            locations = self.locations(agency)
            self.out.organizations.append(self.organization(agency, locations))
            self.out.services += self.agency_services(agency, locations)
        self.out.services += [self.program_service(p) for p in self.guide.programs]
        return self.out
