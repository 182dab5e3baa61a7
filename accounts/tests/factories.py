import factory

from accounts.models import Unit, User
from accounts.services import user_create

PASSWORD = "correct-horse-battery"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"Faculty {n}")
    kind = Unit.Kind.FACULTY


class UserFactory(factory.django.DjangoModelFactory):
    """People are made through the real service, with a known password."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return user_create(**kwargs)


def make_dean(unit=None, **kwargs):
    from accounts.services import unit_set_dean

    unit = unit or UnitFactory()
    dean = UserFactory(**kwargs)
    unit_set_dean(unit=unit, dean=dean, acting_user=None)
    return dean
