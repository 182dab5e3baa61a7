"""The demo centre's units and people. Every person signs in with DEMO_PASSWORD."""

from dataclasses import dataclass

from accounts.models import Unit, User
from accounts.services import unit_set_dean, user_create

DEMO_PASSWORD = "leads-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    role: str
    unit: str | None = None
    is_course_leader: bool = False
    is_instructor: bool = False
    is_leads_admin: bool = False
    is_learner: bool = False


IED = "Institute for Educational Development"
FHS = "School of Nursing and Midwifery"
DATA = "Department of Data Science"

UNITS = [
    (IED, Unit.Kind.INSTITUTE),
    (FHS, Unit.Kind.SCHOOL),
    (DATA, Unit.Kind.DEPARTMENT),
]

PEOPLE = [
    DemoPerson("admin@leads.example", "Amina Rahman", "LEADS admin", is_leads_admin=True),
    DemoPerson("dean.ied@leads.example", "Dr Farid Hussain", "Dean", unit=IED),
    DemoPerson("designate.ied@leads.example", "Dr Sara Ali", "Dean's designate", unit=IED),
    DemoPerson("dean.data@leads.example", "Prof. Nadia Karim", "Dean", unit=DATA),
    DemoPerson("dean.nursing@leads.example", "Dr Joseph Mwangi", "Dean", unit=FHS),
    DemoPerson(
        "leader@leads.example",
        "Dr Zainab Qureshi",
        "Course leader",
        unit=IED,
        is_course_leader=True,
    ),
    DemoPerson(
        "leader.data@leads.example",
        "Dr Omar Siddiqui",
        "Course leader",
        unit=DATA,
        is_course_leader=True,
        is_instructor=True,
    ),
    DemoPerson(
        "instructor@leads.example", "Mr Imran Shah", "Instructor", unit=IED, is_instructor=True
    ),
    DemoPerson(
        "assessor@leads.example",
        "Ms Sara Malik",
        "Second assessor",
        unit=DATA,
        is_instructor=True,
    ),  # fmt: skip
    DemoPerson("learner@leads.example", "Ayesha Malik", "Learner", is_learner=True),
    DemoPerson("learner2@leads.example", "Bilal Ahmed", "Learner", is_learner=True),
    DemoPerson("learner3@leads.example", "Grace Achieng", "Learner", is_learner=True),
]

DEANS = {
    IED: ("dean.ied@leads.example", ["designate.ied@leads.example"]),
    DATA: ("dean.data@leads.example", []),
    FHS: ("dean.nursing@leads.example", []),
}


def seed_people():
    """Create or update the demo units and people; running it again changes nothing."""
    units = {}
    for name, kind in UNITS:
        units[name], _ = Unit.objects.get_or_create(name=name, defaults={"kind": kind})
    people = {}
    for person in PEOPLE:
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = user_create(
                email=person.email,
                full_name=person.full_name,
                password=DEMO_PASSWORD,
                unit=units.get(person.unit),
                is_course_leader=person.is_course_leader,
                is_instructor=person.is_instructor,
                is_leads_admin=person.is_leads_admin,
                is_learner=person.is_learner,
            )
            if person.is_leads_admin:
                user.is_superuser = True
                user.save(update_fields=["is_superuser"])
        people[person.email] = user
    for unit_name, (dean_email, designate_emails) in DEANS.items():
        unit = units[unit_name]
        designates = [people[e] for e in designate_emails]
        if unit.dean_id != people[dean_email].id or set(unit.designates.all()) != set(designates):
            unit_set_dean(
                unit=unit, dean=people[dean_email], designates=designates, acting_user=None
            )
    return people
